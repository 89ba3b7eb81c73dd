"""Thin Celery wrappers: the forecast computed ahead of the board (every
CENTRE["FORECAST_CACHE_SECONDS"]), so that no dispatcher's poll waits for it."""

from celery import shared_task


@shared_task(name="centre.tasks.forecast_refresh")
def forecast_refresh() -> dict:
    from centre.selectors import forecast

    return forecast.refresh_all()
