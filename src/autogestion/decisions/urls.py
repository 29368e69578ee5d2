from django.urls import path

from . import views

urlpatterns = [
    path("decisions/", views.register, name="decision_register"),
    path("bodies/<slug:slug>/proposals/", views.body_proposals, name="body_proposals"),
    path("bodies/<slug:slug>/proposals/new/", views.new_proposal, name="proposal_create"),
    path("bodies/<slug:slug>/decision-policy/", views.policy, name="body_policy"),
    path("bodies/<slug:slug>/changes/<str:kind>/", views.propose_change,
         name="body_propose_change"),
    path("proposals/<int:proposal_id>/", views.proposal_detail, name="proposal_detail"),
    path("proposals/<int:proposal_id>/position/", views.take_position, name="proposal_position"),
    path("proposals/<int:proposal_id>/comment/", views.comment, name="proposal_comment"),
    path("proposals/<int:proposal_id>/manage/", views.manage, name="proposal_manage"),
    path("proposals/<int:proposal_id>/not-positioned/", views.not_positioned,
         name="proposal_not_positioned"),
    path("proposals/<int:proposal_id>/proxy/", views.give_proxy, name="proposal_proxy"),
    path("proxies/<int:proxy_id>/revoke/", views.revoke_proxy, name="proxy_revoke"),
    path("bodies/<slug:slug>/meeting-proxies/", views.meeting_proxies,
         name="body_meeting_proxies"),
    path("meeting-proxies/<int:meeting_proxy_id>/revoke/", views.revoke_meeting_proxy,
         name="meeting_proxy_revoke"),
    path("star-groups/<int:group_id>/summary/", views.star_summary, name="star_summary"),
]
