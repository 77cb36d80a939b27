"""``review_created`` is sent once per new review, after the transaction commits.

Receivers get ``sender=Review, review=<Review>``. The loyalty work connects here to award
mileage for reviews (e.g. ``review_created.connect(award_review_mileage)``); a receiver that
fails does not undo the review (it is already committed).
"""

from django.dispatch import Signal

review_created = Signal()
