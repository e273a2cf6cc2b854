from django.apps import AppConfig


class ContactsConfig(AppConfig):
    name = "guanhuai.contacts"
    verbose_name = "双岗联系人"
