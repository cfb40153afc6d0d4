app_name = "insights-api"
urlpatterns: list = []
