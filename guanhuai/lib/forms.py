"""Form helpers: Bootstrap classes on widgets."""

from __future__ import annotations

from django import forms


class BootstrapMixin:
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                css = "form-check-input"
            elif isinstance(widget, forms.Select | forms.SelectMultiple):
                css = "form-select"
            else:
                css = "form-control"
            if isinstance(widget, forms.DateInput) and widget.input_type == "date":
                # <input type="date"> only accepts ISO dates; the zh-hans input format would blank it.
                widget.format = "%Y-%m-%d"
            widget.attrs["class"] = (widget.attrs.get("class", "") + " " + css).strip()
