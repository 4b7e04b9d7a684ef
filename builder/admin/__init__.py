"""Flask-AppBuilder views of the back office. One function wires the menu."""
from __future__ import annotations


def register_admin_views(appbuilder) -> None:
    from flask_babel import lazy_gettext as _

    from builder.admin.dashboard import StatisticsView
    from builder.admin.designer import ProcessDesignerView
    from builder.admin.form_designer import FormDesignerView
    from builder.admin.office import OfficeView
    from builder.admin.plugins import PluginsView
    from builder.admin.views import AgencyView, DocumentTemplateView, DossierView, JobView, ProcedureView

    appbuilder.add_view(
        OfficeView, "Work queue", icon="fa-tasks", label=_("Work queue"),
        category="One-stop office", category_label=_("One-stop office"), category_icon="fa-inbox",
    )
    appbuilder.add_view(
        DossierView, "Dossiers", icon="fa-folder-open", label=_("Dossiers"),
        category="One-stop office", category_label=_("One-stop office"),
        category_icon="fa-inbox",
    )
    appbuilder.add_link(
        "Register a paper dossier", href="/mot-cua/tiep-nhan", icon="fa-plus-square",
        label=_("Register a paper dossier"), category="One-stop office",
    )
    appbuilder.add_view(
        StatisticsView, "Statistics", icon="fa-bar-chart", label=_("Statistics"),
        category="One-stop office", category_label=_("One-stop office"),
    )
    appbuilder.add_view(
        ProcedureView, "Procedures", icon="fa-book", label=_("Procedures"),
        category="Services", category_label=_("Services"), category_icon="fa-cubes",
    )
    appbuilder.add_view(
        ProcessDesignerView, "Process designer", icon="fa-sitemap", label=_("Process designer"),
        category="Services", category_label=_("Services"),
    )
    appbuilder.add_view(
        FormDesignerView, "Form designer", icon="fa-list-alt", label=_("Form designer"),
        category="Services", category_label=_("Services"),
    )
    appbuilder.add_view(
        AgencyView, "Agencies", icon="fa-sitemap", label=_("Agencies"),
        category="Services", category_label=_("Services"),
    )
    appbuilder.add_view(
        DocumentTemplateView, "Document templates", icon="fa-file-text", label=_("Document templates"),
        category="Services", category_label=_("Services"),
    )
    appbuilder.add_view(
        JobView, "Jobs", icon="fa-cogs", label=_("Background jobs"),
        category="Security", category_label=_("Security"),
    )
    appbuilder.add_view(
        PluginsView, "Plugins", icon="fa-plug", label=_("Plugins"),
        category="Security", category_label=_("Security"),
    )
