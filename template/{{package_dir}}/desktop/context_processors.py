from . import about


def desktop(request):
    """Names every page can show."""
    return {
        "app_name": about.PROJECT_NAME,
        "app_description": about.DESCRIPTION,
        "app_version": about.VERSION,
    }
