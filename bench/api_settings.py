"""Settings of the API benchmark's server: production settings with the
benchmark's URLconf (bench/api_urls.py), which adds the plain peer views."""

from config.settings import *  # noqa: F403

ROOT_URLCONF = "bench.api_urls"
