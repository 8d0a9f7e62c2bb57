from django.urls import path

from accounts import views

app_name = "accounts"

urlpatterns = [
    path("people/<str:username>/", views.ProfileView.as_view(), name="profile"),
    path("my-account/data/", views.personal_data_download, name="data"),
    path("my-account/close/", views.account_delete_view, name="delete"),
    path("my-account/close/<str:token>/", views.account_delete_confirm, name="delete-confirm"),
    path("my-account/closed/", views.account_deleted, name="deleted"),
]
