# The chat widget (webchat/) and the browser its tests drive. Included by the main
# Makefile. Every step is a file target: `npm ci` runs only when node_modules is
# missing or the lock changed, the bundle is rebuilt only when a source changed.

WEBCHAT_DIR := $(patsubst %/,%,$(dir $(lastword $(MAKEFILE_LIST))))
WEBCHAT_BUNDLE := $(WEBCHAT_DIR)/dist/webchat.js
# npm ci writes this hidden lockfile; it doubles as the "dependencies installed" stamp.
WEBCHAT_MODULES := $(WEBCHAT_DIR)/node_modules/.package-lock.json
WEBCHAT_SOURCES := $(wildcard $(WEBCHAT_DIR)/src/*.js)
WEBCHAT_CHROMIUM := /usr/bin/chromium

.PHONY: webchat chromium

webchat: $(WEBCHAT_BUNDLE)

$(WEBCHAT_MODULES): $(WEBCHAT_DIR)/package.json $(WEBCHAT_DIR)/package-lock.json
	cd $(WEBCHAT_DIR) && npm ci --no-audit --no-fund
	@touch $@

$(WEBCHAT_BUNDLE): $(WEBCHAT_SOURCES) $(WEBCHAT_MODULES)
	cd $(WEBCHAT_DIR) && npm run --silent build

# Debian's Chromium: Playwright cannot download its own browser builds here.
chromium: $(WEBCHAT_CHROMIUM)
$(WEBCHAT_CHROMIUM):
	apt-get update
	DEBIAN_FRONTEND=noninteractive apt-get install -y chromium
