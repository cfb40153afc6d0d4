app_name = "public-api"
urlpatterns: list = []
