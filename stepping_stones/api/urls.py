app_name = "stepping_stones-api"
urlpatterns: list = []
