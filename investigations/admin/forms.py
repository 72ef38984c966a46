"""Forms of the editorial workflow."""

from django import forms


class PublishForm(forms.Form):
    reason = forms.CharField(
        label="Why publish although claims are uncited?",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text="Shown to readers on the public page, beside a mark on each uncited claim; "
        "editors also see your name.",
    )

    def __init__(self, *args, reason_required=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].required = reason_required
