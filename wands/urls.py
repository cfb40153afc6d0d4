app_name = "wands"
urlpatterns = []
