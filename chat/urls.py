app_name = "chat"

# The chat pages add their paths here (talk panes, my talks, invitations, search).
urlpatterns: list = []
