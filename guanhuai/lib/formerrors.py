"""Show a service's ValidationError on a Django form."""

from __future__ import annotations

from django.core.exceptions import ValidationError


def add_service_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for name, errors in exc.error_dict.items():
            messages = [m for e in errors for m in e.messages]
            target = name if name in form.fields else None
            for message in messages:
                form.add_error(target, message if target else f"{name}:{message}" if name != "__all__" else message)
    else:
        for message in exc.messages:
            form.add_error(None, message)
