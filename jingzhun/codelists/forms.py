from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from jingzhun.codelists.fields import CodeField, CodeListField
from jingzhun.codelists.selectors import code_choices


class CodedModelForm(forms.ModelForm):
    """A ModelForm whose coded fields offer the codes in force for ``province``."""

    def __init__(self, *args: Any, province: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Extra (non-model) fields declared on a subclass pass through unchanged.
        model_fields = {field.name: field for field in self._meta.model._meta.get_fields()}
        for name, form_field in list(self.fields.items()):
            model_field = model_fields.get(name)
            if isinstance(model_field, CodeField):
                blank: list[tuple[str, Any]] = [("", _("— choose —"))] if model_field.blank else []
                self.fields[name] = forms.ChoiceField(
                    label=form_field.label,
                    required=not model_field.blank,
                    choices=blank + code_choices(model_field.code_list, province=province),
                )
            elif isinstance(model_field, CodeListField):
                self.fields[name] = forms.MultipleChoiceField(
                    label=form_field.label,
                    required=False,
                    widget=forms.CheckboxSelectMultiple,
                    choices=code_choices(model_field.code_list, province=province),
                )
        for form_field in self.fields.values():
            widget = form_field.widget
            if isinstance(widget, forms.CheckboxInput):
                widget.attrs.setdefault("class", "form-check-input")
            elif isinstance(widget, forms.CheckboxSelectMultiple):
                continue
            elif isinstance(widget, forms.Select):
                widget.attrs.setdefault("class", "form-select")
            else:
                widget.attrs.setdefault("class", "form-control")
