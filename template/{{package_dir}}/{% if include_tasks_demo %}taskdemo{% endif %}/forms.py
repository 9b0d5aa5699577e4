from django import forms

from .tasks import MAX_LIMIT


class PrimeForm(forms.Form):
    limit = forms.IntegerField(min_value=2, max_value=MAX_LIMIT, initial=1_000_000)
    slow = forms.BooleanField(required=False, initial=True, label="Take about two seconds")
