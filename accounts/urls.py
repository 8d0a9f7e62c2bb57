from django.urls import path

from accounts import views

app_name = "accounts"

urlpatterns = [
    path("people/<str:username>/", views.ProfileView.as_view(), name="profile"),
]
