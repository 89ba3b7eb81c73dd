FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 DJANGO_SETTINGS_MODULE=portal.settings.production
RUN apt-get update && apt-get install -y --no-install-recommends fonts-wqy-zenhei && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY pyproject.toml README.md ./
COPY portal ./portal
COPY approvals ./approvals
COPY enforcement ./enforcement
COPY grid ./grid
RUN pip install --no-cache-dir .
COPY . .
RUN SECRET_KEY=build-only-$(python -c "print('x9Z#'*16)") ALLOWED_HOSTS=build python manage.py collectstatic --no-input -v0
RUN useradd --create-home onewindow && mkdir -p /app/var/media && chown -R onewindow /app/var
USER onewindow
EXPOSE 8000
CMD ["gunicorn", "portal.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
