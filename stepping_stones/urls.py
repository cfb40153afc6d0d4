app_name = "stepping_stones"
urlpatterns: list = []
