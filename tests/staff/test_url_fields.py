"""A web address typed without a scheme means https, in the staff form and in the admin."""

from django.contrib import admin
from django.forms.models import model_to_dict

from funding.models import Programme
from modellregionen.staff.project_forms import ProjectForm
from projects.models import Project


def test_the_project_form_reads_a_bare_domain_as_https(project_soest):
    data = {name: value for name, value in model_to_dict(project_soest).items() if value is not None}
    data["documentation_url"] = "example.org/loesung"
    form = ProjectForm(data=data, instance=project_soest)
    assert form.is_valid(), form.errors
    assert form.cleaned_data["documentation_url"] == "https://example.org/loesung"


def test_the_admin_forms_read_a_bare_domain_as_https(rf):
    for model, field in ((Programme, "url"), (Project, "documentation_url")):
        model_admin = admin.site._registry[model]
        formfield = model_admin.formfield_for_dbfield(model._meta.get_field(field), request=rf.get("/"))
        assert formfield.clean("example.org") == "https://example.org"
