"""Vietnamese of the shared checks of a provider's settings (builder/providers/settings.py)."""

VI = {
    "The environment variable %(name)s (%(key)s of %(plugin)s) is not set.":
        "Chưa đặt biến môi trường %(name)s (%(key)s của %(plugin)s).",
}
