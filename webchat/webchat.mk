# The chat widget (webchat/) and the browser its tests drive. Included by the main
# Makefile. Every step is a file target: `npm ci` runs only when node_modules is
# missing or the lock changed, the bundle is rebuilt only when a source changed.

WEBCHAT_DIR := $(patsubst %/,%,$(dir $(lastword $(MAKEFILE_LIST))))
# The loader host pages include, and the chat its frame (/chat) runs: one esbuild run.
WEBCHAT_BUNDLES := $(WEBCHAT_DIR)/dist/webchat.js $(WEBCHAT_DIR)/dist/chat.js
# npm ci writes this hidden lockfile; it doubles as the "dependencies installed" stamp.
WEBCHAT_MODULES := $(WEBCHAT_DIR)/node_modules/.package-lock.json
# The chat bundle inlines the exit phrases (src/exit-phrases.json) too.
WEBCHAT_SOURCES := $(wildcard $(WEBCHAT_DIR)/src/*.js $(WEBCHAT_DIR)/src/*.json)
WEBCHAT_CHROMIUM := /usr/bin/chromium

.PHONY: webchat chromium

webchat: $(WEBCHAT_BUNDLES)

$(WEBCHAT_MODULES): $(WEBCHAT_DIR)/package.json $(WEBCHAT_DIR)/package-lock.json
	cd $(WEBCHAT_DIR) && npm ci --no-audit --no-fund
	@touch $@

$(WEBCHAT_BUNDLES) &: $(WEBCHAT_SOURCES) $(WEBCHAT_MODULES)
	cd $(WEBCHAT_DIR) && npm run --silent build
	@touch $(WEBCHAT_BUNDLES)

# Debian's Chromium: Playwright cannot download its own browser builds here.
chromium: $(WEBCHAT_CHROMIUM)
$(WEBCHAT_CHROMIUM):
	apt-get update
	DEBIAN_FRONTEND=noninteractive apt-get install -y chromium
