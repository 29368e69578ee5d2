from django.urls import path

from . import views

urlpatterns = [
    path("economy/", views.economy_home, name="economy_home"),
    path("bodies/<slug:slug>/economy/", views.economy, name="economy"),
    path("bodies/<slug:slug>/economy/pay/", views.pay, name="economy_pay"),
    path("bodies/<slug:slug>/economy/request/", views.request_payment,
         name="economy_request"),
    path("bodies/<slug:slug>/economy/open/<int:currency_id>/", views.open_account,
         name="economy_open_account"),
    path("bodies/<slug:slug>/economy/across/", views.pay_across, name="economy_across"),
    path("bodies/<slug:slug>/currencies/new/", views.create_currency, name="currency_create"),
    path("currencies/<int:currency_id>/", views.currency_detail, name="currency_detail"),
    path("bodies/<slug:slug>/offers/", views.offers, name="offers"),
    path("bodies/<slug:slug>/fund/", views.fund, name="fund"),
    path("bodies/<slug:slug>/fund/overdraft/", views.set_overdraft, name="fund_overdraft"),
    path("accounts/<int:account_id>/statement/", views.account_statement,
         name="account_statement"),
    path("accounts/<int:account_id>/limits/", views.set_limits, name="account_limits"),
    path("accounts/<int:account_id>/status/", views.set_status, name="account_status"),
    path("payments/<int:payment_id>/reverse/", views.reverse_payment, name="payment_reverse"),
    path("payment-requests/<int:request_id>/accept/", views.accept_request,
         name="payment_request_accept"),
    path("payment-requests/<int:request_id>/decline/", views.decline_request,
         name="payment_request_decline"),
    path("offers/<int:offer_id>/withdraw/", views.withdraw_offer, name="offer_withdraw"),
]
