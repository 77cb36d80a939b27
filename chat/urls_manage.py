"""Paths of the membership, invitation and moderation pages (part of the ``chat`` namespace:
chat/urls.py adds them)."""

from django.urls import path

from chat import views_invitations, views_manage
from chat.feedback import views as feedback_views

urlpatterns = [
    # A person's own membership
    path("talk/stores/<str:slug>/join/", feedback_views.store_join, name="store_join"),
    path("talk/<int:channel_id>/join/", views_manage.channel_join, name="channel_join"),
    path("talk/<int:channel_id>/leave/", views_manage.channel_leave, name="channel_leave"),
    path("talk/<int:channel_id>/withdraw/", views_manage.channel_withdraw, name="channel_withdraw"),
    # Messages: report (members), delete (author or managers), pin/unpin (managers)
    path(
        "talk/messages/<int:message_id>/report/",
        views_manage.message_report,
        name="message_report",
    ),
    path(
        "talk/messages/<int:message_id>/delete/",
        views_manage.message_delete,
        name="message_delete",
    ),
    path("talk/messages/<int:message_id>/pin/", views_manage.message_pin, name="message_pin"),
    # Invitations
    path("invite/<str:token>/", views_invitations.invite_landing, name="invite_landing"),
    path("talk/invitations/", views_invitations.invitation_list, name="invitation_list"),
    path(
        "talk/invitations/<int:invitation_id>/revoke/",
        views_invitations.invitation_revoke,
        name="invitation_revoke",
    ),
    path("talk/<int:channel_id>/invite/", views_invitations.channel_invite, name="channel_invite"),
    # The seller's talk pages
    path("seller/stores/<str:slug>/talk/", views_manage.seller_talk, name="seller_talk"),
    path(
        "seller/stores/<str:slug>/talk/<int:channel_id>/",
        views_manage.seller_channel,
        name="seller_channel",
    ),
    path(
        "seller/stores/<str:slug>/talk/<int:channel_id>/delete/",
        views_manage.seller_channel_delete,
        name="seller_channel_delete",
    ),
    path(
        "seller/stores/<str:slug>/talk/members/<int:membership_id>/<slug:action>/",
        views_manage.seller_membership_action,
        name="seller_membership_action",
    ),
    path(
        "seller/stores/<str:slug>/talk/reports/<int:flag_id>/<slug:action>/",
        views_manage.seller_flag_action,
        name="seller_flag_action",
    ),
]
