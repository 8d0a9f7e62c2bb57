"""The admin site: Django's own, with a short note beside a model in the menu.

A ModelAdmin may define `menu_note(request) -> str`; the app list on the
admin's index and in its sidebar shows it after the model's name, such as
"Comments (3 pending, 2 reported)". The site knows nothing about what the
note says: each app's ModelAdmin does.
"""

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig


class NewsroomAdminSite(admin.AdminSite):
    def get_app_list(self, request, app_label=None):
        app_list = super().get_app_list(request, app_label)
        for app in app_list:
            for entry in app["models"]:
                menu_note = getattr(self.get_model_admin(entry["model"]), "menu_note", None)
                note = menu_note(request) if menu_note is not None else ""
                if note:
                    entry["name"] = f"{entry['name']} ({note})"
        return app_list


class NewsroomAdminConfig(AdminConfig):
    default_site = "newsroom.admin_site.NewsroomAdminSite"
