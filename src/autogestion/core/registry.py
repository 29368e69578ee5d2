"""What each capability contributes to the whole, read from its `apps.py`.

The shared kernel imports no app: each app's AppConfig names what it brings as dotted
paths, and the composition root (config/urls.py, the API, the worker, the demo, the
personal-data export) asks this module. Adding a capability is adding an app to
INSTALLED_APPS; nothing in core changes.

The attributes an AppConfig may set (all optional):
- `urls`: modules of URL patterns, included at the site's root;
- `api_routers`: (prefix, "module.router") pairs added to the API;
- `periodic_jobs`: (name, "module.function") pairs the worker and `run_jobs` call;
- `demo`: "module.function" (or a list of them) taking (bodies, people), called in
  INSTALLED_APPS order (cooperatives' own demo builds the bodies and people first);
- `personal_data`: "module.function" taking a person, returning {"app.model": [rows]};
- `decision_effects`: "module.EFFECTS" lists of core.effects.Effect, the changes the
  body makes only by decision (applied by the decisions app when a proposal is adopted).

By convention, not by attribute: an app's `todo` module, if it has one, gives what waits
for a person in that app (`items(person, today)`, see core/todo.py), gathered on the
signed-in home page "À faire".
"""

from importlib import import_module
from importlib.util import find_spec

from django.apps import apps
from django.utils.module_loading import import_string


def _configs():
    return apps.get_app_configs()


def url_modules() -> list[str]:
    return [module for config in _configs() for module in getattr(config, "urls", ())]


def api_routers() -> list[tuple[str, object]]:
    return [(prefix, import_string(path)) for config in _configs()
            for prefix, path in getattr(config, "api_routers", ())]


def periodic_jobs() -> list[tuple[str, object]]:
    return [(name, import_string(path)) for config in _configs()
            for name, path in getattr(config, "periodic_jobs", ())]


def demo_loaders() -> list[object]:
    loaders = []
    for config in _configs():
        paths = getattr(config, "demo", None) or []
        loaders += [import_string(path) for path in ([paths] if isinstance(paths, str)
                                                     else paths)]
    return loaders


def personal_data_exporters() -> dict[str, object]:
    return {config.label: import_string(config.personal_data) for config in _configs()
            if getattr(config, "personal_data", None)}


def decision_effects() -> dict[str, object]:
    """Every change a body makes only by decision (core.effects.Effect), by kind."""
    effects = {}
    for config in _configs():
        for path in getattr(config, "decision_effects", ()):
            for effect in import_string(path):
                effects[effect.kind] = effect
    return effects


def todo_providers() -> list[object]:
    """Each app's `todo.items` function, in INSTALLED_APPS order."""
    providers = []
    for config in _configs():
        # core's own todo module is the kernel's vocabulary (core/todo.py), not a provider.
        if (config.name.startswith("autogestion.") and config.name != "autogestion.core"
                and find_spec(f"{config.name}.todo")):
            providers.append(import_module(f"{config.name}.todo").items)
    return providers
