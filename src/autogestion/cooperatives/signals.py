"""What other capabilities may hear about bodies, without cooperatives importing them."""

from django.dispatch import Signal

# Sent (on commit) when a group starts to exist as an active body: founded by members
# where no ratification is needed, or ratified by its parent's decision.
# Arguments: group (Body), founder (User or None). Assemblies puts it on the next
# Agora's agenda ("news of the groups").
group_founded = Signal()
