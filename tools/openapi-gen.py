#!/usr/bin/env python3
"""Builds src/main/resources/openapi.json for the License Gateway: python3 tools/openapi-gen.py src/main/resources/openapi.json"""
import json
import sys

NO_CONTROLS = "^[^\\u0000-\\u001F\\u007F]*$"
HEX64 = "^[0-9a-fA-F]{64}$"
LICENSE_KEY = "^[A-Z0-9]{5}(-[A-Z0-9]{5}){4}$"
SCOPES = ["products:read", "products:write", "licenses:read", "licenses:write",
          "machines:write", "rules:write", "keys:write", "licenses:validate", "webhooks:read", "webhooks:write"]
EVENT_TYPES = ["license.created", "license.updated", "license.suspended", "license.reinstated", "license.revoked",
               "license.deleted", "license.expired", "machine.activated", "machine.deactivated", "machine.released",
               "policy.updated", "product.updated", "account.credits_low", "webhook.disabled"]


def ref(kind, name):
    return {"$ref": f"#/components/{kind}/{name}"}


def schema(name):
    return ref("schemas", name)


def text(max_len, description=None, nullable=False, **extra):
    s = {"type": ["string", "null"] if nullable else "string", "minLength": 1, "maxLength": max_len,
         "pattern": NO_CONTROLS}
    if description:
        s["description"] = description
    s.update(extra)
    return s


def integer(minimum, maximum, description=None, nullable=False, **extra):
    s = {"type": ["integer", "null"] if nullable else "integer", "minimum": minimum, "maximum": maximum}
    if description:
        s["description"] = description
    s.update(extra)
    return s


def nullable_ts(description):
    return {"type": ["string", "null"], "format": "date-time", "description": description}


TS = {"type": "string", "format": "date-time", "description": "RFC 3339 UTC, whole seconds."}


def obj(props, required=(), description=None, **extra):
    s = {"type": "object", "properties": props}
    if required:
        s["required"] = list(required)
    if description:
        s["description"] = description
    s.update(extra)
    return s


def page(item, description):
    return obj({"data": {"type": "array", "items": schema(item)},
                "has_more": {"type": "boolean", "description": "Whether a further page follows the last item of `data`."}},
               ["data", "has_more"], description)


RATE_HEADERS = {
    "X-RateLimit-Limit": ref("headers", "X-RateLimit-Limit"),
    "X-RateLimit-Remaining": ref("headers", "X-RateLimit-Remaining"),
    "X-RateLimit-Reset": ref("headers", "X-RateLimit-Reset"),
    "X-Request-Id": ref("headers", "X-Request-Id"),
}


def headers(retry_after=False, rate=True):
    h = dict(RATE_HEADERS) if rate else {"X-Request-Id": ref("headers", "X-Request-Id")}
    if retry_after:
        h["Retry-After"] = ref("headers", "Retry-After")
    return h


def json_response(description, body_schema, retry_after=False, rate=True, media="application/json"):
    return {"description": description, "headers": headers(retry_after, rate),
            "content": {media: {"schema": body_schema}}}


# ---- schemas ------------------------------------------------------------------------------

schemas = {}

schemas["Id"] = {"type": "string", "description": "An opaque id. Clients must not parse it.",
                 "examples": ["0b8f6c1e-6a33-4c53-9a6e-2d1f4f0c9b77"]}
schemas["Environment"] = {"type": "string", "enum": ["live", "test"],
                          "description": "The environment a resource lives in, from the prefix of the API key that created it. A key sees only its own environment."}
schemas["Scope"] = {"type": "string", "enum": SCOPES, "description": "An API key scope."}
schemas["LicenseKey"] = {"type": "string", "pattern": LICENSE_KEY, "maxLength": 29,
                         "description": "`XXXXX-XXXXX-XXXXX-XXXXX-XXXXX` over A-Z and 0-9.",
                         "examples": ["K3Y9Q-7HF2M-ZX4PL-8NWT5-R6DVA"]}
schemas["Entitlements"] = {"type": "array", "maxItems": 100, "items": text(255),
                           "description": "Entitlement names; at most 100, each 1-255 characters."}
schemas["FieldError"] = obj({"field": {"type": "string", "description": "The offending field, e.g. `name`, `entitlements[2]` or `body`."},
                             "message": {"type": "string"}}, ["field", "message"],
                            "One problem with one field of a request.")

# -- management resources (the lgw_*_doc functions of migration V2)
schemas["Account"] = obj({
    "id": schema("Id"),
    "name": {"type": "string"},
    "status": {"type": "string", "enum": ["active", "suspended", "billing_suspended"]},
    "credits": {"type": ["integer", "null"], "minimum": 0,
                "description": "Credit balance; `null` = unlimited. Creating a license costs 1 credit when the account has a balance."},
}, ["id", "name", "status", "credits"], "The calling key's account (`lgw_account_doc`).")

schemas["Product"] = obj({
    "id": schema("Id"),
    "name": {"type": "string"},
    "status": {"type": "string", "enum": ["active", "archived", "disabled"]},
    "environment": schema("Environment"),
    "app_id": {"type": "string", "description": "The `/auth` dialect's app id.", "examples": ["app_4fX9a0Qm2ZrT7bLk1sNw"]},
    "daily_validation_limit": {"type": ["integer", "null"], "minimum": 1,
                               "description": "Validations per UTC day across all dialects; `null` = no limit."},
    "created_at": TS,
}, ["id", "name", "status", "environment", "app_id", "daily_validation_limit", "created_at"],
    "A product (`lgw_product_doc`). Its app secret and product key are shown only at creation.")

schemas["ProductCreated"] = {
    "description": "A new product, with its credentials in plaintext: shown this once, stored only as digests.",
    "allOf": [schema("Product"), obj({
        "app_secret": {"type": "string", "description": "The `/auth` dialect's app secret.", "pattern": "^as_[0-9A-Za-z]{40}$"},
        "product_key": {"type": "string", "description": "The `/api/v1/validate` dialect's product key.",
                        "pattern": "^kp_(live|test)_[0-9A-Za-z]{32}$"},
    }, ["app_secret", "product_key"])]}

schemas["Policy"] = obj({
    "id": schema("Id"),
    "product_id": schema("Id"),
    "name": {"type": "string"},
    "max_machines": {"type": "integer", "minimum": 1},
    "duration_days": {"type": ["integer", "null"], "minimum": 1, "description": "`null` = perpetual licenses."},
    "heartbeat_interval_s": {"type": ["integer", "null"], "minimum": 1, "description": "`null` = no heartbeat required."},
    "entitlements": {"type": "array", "items": {"type": "string"}},
    "max_ips": {"type": ["integer", "null"], "minimum": 1, "description": "`null` = unlimited."},
    "ip_mode": {"type": "string", "enum": ["open", "allowlist"]},
    "created_at": TS,
}, ["id", "product_id", "name", "max_machines", "duration_days", "heartbeat_interval_s", "entitlements",
    "max_ips", "ip_mode", "created_at"], "A policy (`lgw_policy_doc`).")

schemas["License"] = obj({
    "id": schema("Id"),
    "key": schema("LicenseKey"),
    "status": {"type": "string", "enum": ["active", "inactive", "suspended", "revoked"],
               "description": "The stored status. A license whose `expires_at` has passed is expired whatever its status."},
    "product_id": schema("Id"),
    "policy_id": schema("Id"),
    "environment": schema("Environment"),
    "expires_at": nullable_ts("`null` = never expires."),
    "max_machines": {"type": "integer", "minimum": 1, "description": "Effective value: the license's override, else the policy's."},
    "entitlements": {"type": "array", "items": {"type": "string"},
                     "description": "Effective value: the license's override, else the policy's."},
    "machines_used": {"type": "integer", "minimum": 0, "description": "Machines currently bound."},
    "created_at": TS,
    "updated_at": TS,
}, ["id", "key", "status", "product_id", "policy_id", "environment", "expires_at", "max_machines",
    "entitlements", "machines_used", "created_at", "updated_at"], "A license (`lgw_license_doc`).")

schemas["LicenseDeleted"] = obj({"id": schema("Id"), "deleted": {"const": True}}, ["id", "deleted"],
                                "A soft-deleted license: its key answers \"not found\" in every dialect from now on.")

schemas["Machine"] = obj({
    "id": schema("Id"),
    "license_id": schema("Id"),
    "machine_id": {"type": "string", "pattern": "^[0-9a-f]{64}$", "description": "SHA-256 of the device identifier, lowercase hex."},
    "name": {"type": ["string", "null"]},
    "platform": {"type": ["string", "null"]},
    "hostname": {"type": ["string", "null"]},
    "ip": {"type": ["string", "null"], "description": "The client IP at activation."},
    "activated_at": TS,
    "last_heartbeat_at": TS,
}, ["id", "license_id", "machine_id", "name", "platform", "hostname", "ip", "activated_at", "last_heartbeat_at"],
    "An active machine of a license (`lgw_machine_doc`).")
schemas["MachineListed"] = {"allOf": [schema("Machine"), obj({
    "holds_slot": {"type": "boolean", "description": "False once the machine has been silent past its policy's slot "
                   "release (overdue by more than twice the heartbeat interval): it no longer counts in `machines_used`, "
                   "and a new activation may take its slot."},
}, ["holds_slot"])], "description": "A machine as its license's list shows it."}

schemas["Rule"] = obj({
    "id": schema("Id"),
    "product_id": schema("Id"),
    "kind": {"type": "string", "enum": ["block_hwid", "allow_hwid", "block_ip", "allow_ip"]},
    "value": {"type": "string", "description": "A machine id (64 lowercase hex) for `*_hwid`, a normalized CIDR such as `203.0.113.0/24` for `*_ip`."},
    "created_at": TS,
}, ["id", "product_id", "kind", "value", "created_at"],
    "A product rule (`lgw_rule_doc`). With any `allow_*` rule of a kind, the product requires a match of that kind.")

schemas["LicenseIp"] = obj({
    "license_id": schema("Id"),
    "ip": {"type": "string", "description": "A normalized IPv4 or IPv6 address."},
    "blocked": {"type": "boolean"},
    "created_at": TS,
}, ["license_id", "ip", "blocked", "created_at"],
    "An IP registered on (or blocked for) a license (`lgw_license_ip_doc`).")

schemas["LicenseIpPage"] = page("LicenseIp", "A license's IP entries (`has_more` is always false).")
schemas["Usage"] = obj({
    "day": {"type": "string", "format": "date", "description": "The UTC day the validations are counted for."},
    "products": {"type": "integer", "minimum": 0},
    "licenses": {"type": "integer", "minimum": 0, "description": "Licenses not deleted."},
    "active_machines": {"type": "integer", "minimum": 0, "description": "Machines that hold a slot (as `machines_used` counts them)."},
    "validations": {"type": "array", "description": f"The newest {100} products, each with its day's validations.", "items": obj({
        "product_id": schema("Id"),
        "name": {"type": "string"},
        "status": {"type": "string", "enum": ["active", "archived", "disabled"]},
        "daily_validation_limit": {"type": ["integer", "null"]},
        "validations_today": {"type": ["integer", "null"], "minimum": 0,
                              "description": "Validations counted today, refused ones past the limit included; null when the product has no limit (its validations are not counted)."},
    }, ["product_id", "name", "status", "daily_validation_limit", "validations_today"])},
    "validations_has_more": {"type": "boolean", "description": "Whether the account has more products than `validations` lists."},
}, ["day", "products", "licenses", "active_machines", "validations", "validations_has_more"],
    "What the account holds in the key's environment, and the day's validations per product.")

schemas["ApiKey"] = obj({
    "id": schema("Id"),
    "name": {"type": "string"},
    "hint": {"type": "string", "description": "Prefix and last 4 characters, for display.", "examples": ["lk_live_…x7Qa"]},
    "scopes": {"type": "array", "items": schema("Scope")},
    "environment": schema("Environment"),
    "created_at": TS,
    "revoked_at": nullable_ts("`null` while the key is usable."),
}, ["id", "name", "hint", "scopes", "environment", "created_at", "revoked_at"], "An API key (`lgw_api_key_doc`).")

schemas["ApiKeyCreated"] = {
    "description": "A new API key with its plaintext: shown this once, stored only as a digest.",
    "allOf": [schema("ApiKey"), obj({
        "key": {"type": "string", "pattern": "^lk_(live|test)_[0-9A-Za-z]{32}$"},
    }, ["key"])]}

schemas["DeletedCount"] = obj({"deleted": {"type": "integer", "minimum": 0, "description": "Rows removed."}},
                              ["deleted"], "How many items a deletion removed.")

schemas["WebhookEventType"] = {"type": "string", "enum": EVENT_TYPES, "description": "A webhook event type."}
schemas["Webhook"] = obj({
    "id": schema("Id"),
    "url": {"type": "string", "format": "uri", "description": "Where events are posted. By default `https` to a public address only."},
    "events": {"type": "array", "items": schema("WebhookEventType"),
               "description": "The subscribed types; every type when created without `events`."},
    "status": {"type": "string", "enum": ["enabled", "disabled"]},
    "environment": schema("Environment"),
    "disabled_reason": {"type": ["string", "null"], "description": "Why the gateway disabled it (a delivery gave up with nothing delivered during its retry window); `null` otherwise."},
    "created_at": TS,
    "updated_at": TS,
}, ["id", "url", "events", "status", "environment", "disabled_reason", "created_at", "updated_at"],
    "A webhook endpoint (`lgw_webhook_doc`).")
schemas["WebhookWithSecret"] = {
    "description": "A webhook with its signing secret: shown at creation and rotation only.",
    "allOf": [schema("Webhook"), obj({
        "secret": {"type": "string", "pattern": "^whsec_[A-Za-z0-9+/]{43}=$",
                   "description": "`whsec_` + base64 of 32 random bytes. HMAC-SHA256 is keyed by the decoded bytes."},
    }, ["secret"])]}
schemas["WebhookCreate"] = obj({
    "url": {"type": "string", "maxLength": 2048, "description": "`https` URL whose host resolves to public addresses only (any `http`/address with `LGW_WEBHOOK_ALLOW_PRIVATE=true`)."},
    "events": {"type": ["array", "null"], "minItems": 1, "maxItems": 64, "items": schema("WebhookEventType"),
               "description": "Absent or null: every event type."},
}, ["url"], "Body of `POST /api/v1/manage/webhooks`.")
schemas["WebhookUpdate"] = obj({
    "url": {"type": "string", "maxLength": 2048, "description": "Checked as at creation."},
    "events": {"type": ["array", "null"], "minItems": 1, "maxItems": 64, "items": schema("WebhookEventType"),
               "description": "null: every event type."},
    "status": {"type": "string", "enum": ["enabled", "disabled"], "description": "A disabled webhook is sent nothing; its pending deliveries wait."},
}, description="Body of `PATCH /api/v1/manage/webhooks/{id}`: only the fields given change.")
schemas["WebhookDelivery"] = obj({
    "id": schema("Id"),
    "webhook_id": schema("Id"),
    "event_id": {"type": "string", "description": "The event's `evt_…` id, sent as `webhook-id` on every attempt."},
    "type": schema("WebhookEventType"),
    "state": {"type": "string", "enum": ["pending", "delivered", "failed"]},
    "attempts": {"type": "integer", "minimum": 0},
    "last_status_code": {"type": ["integer", "null"], "description": "HTTP status of the last attempt; null when it got none (timeout, refused, connection error)."},
    "last_error": {"type": ["string", "null"]},
    "last_attempt_at": nullable_ts("`null` before the first attempt."),
    "next_attempt_at": nullable_ts("When it is attempted next; `null` unless pending."),
    "delivered_at": nullable_ts("`null` until delivered."),
    "created_at": TS,
}, ["id", "webhook_id", "event_id", "type", "state", "attempts", "last_status_code", "last_error", "last_attempt_at",
    "next_attempt_at", "delivered_at", "created_at"], "One event's delivery to one webhook (`lgw_webhook_delivery_doc`).")
schemas["WebhookPage"] = page("Webhook", "A page of webhooks, newest first.")
schemas["WebhookDeliveryPage"] = page("WebhookDelivery", "A page of deliveries, newest first.")
schemas["WebhookDeleted"] = obj({"id": schema("Id"), "deleted": {"const": True}}, ["id", "deleted"],
                                "The webhook and its deliveries are deleted.")

schemas["ProductPage"] = page("Product", "A page of products, newest first.")
schemas["PolicyPage"] = page("Policy", "A page of policies, newest first.")
schemas["LicensePage"] = page("License", "A page of licenses, newest first.")
schemas["RulePage"] = page("Rule", "A page of rules, newest first.")
schemas["MachinePage"] = page("MachineListed", "Every active machine of the license, oldest activation first (`has_more` is always false).")
schemas["ApiKeyPage"] = page("ApiKey", "Every unrevoked key of the account in the caller's environment, newest first (`has_more` is always false).")

schemas["ManageError"] = obj({
    "error": {"type": "string", "enum": ["bad_request", "invalid_api_key", "no_credits", "forbidden", "not_found",
                                         "rate_limited", "internal_error"]},
    "message": {"type": "string"},
    "details": {"type": "array", "items": schema("FieldError"),
                "description": "Every bad field, on `bad_request` when fields failed validation."},
}, ["error", "message"], "A management API error. Never a stack trace.")

# -- management request bodies
CREATE_NOTE = " Unknown fields are ignored; a `null` optional field is the same as an absent one."
schemas["ProductCreate"] = obj({
    "name": text(255),
    "daily_validation_limit": integer(1, 2147483647, "Validations per UTC day; absent or null = no limit.", nullable=True),
}, ["name"], "Body of `POST /api/v1/manage/products`." + CREATE_NOTE)

schemas["ProductUpdate"] = obj({
    "name": text(255, "Absent or null: unchanged.", nullable=True),
    "status": {"type": ["string", "null"], "enum": ["active", "archived", "disabled", None], "description": "Absent or null: unchanged."},
    "daily_validation_limit": integer(1, 2147483647, "Absent: unchanged; null: removes the limit.", nullable=True),
}, (), "Body of `PATCH /api/v1/manage/products/{id}`: only the fields given change.")

POLICY_FIELDS = {
    "duration_days": integer(1, 36500, "Licenses expire this many days after creation unless given `expires_at`; null = perpetual.", nullable=True),
    "heartbeat_interval_s": integer(1, 31536000, "Seconds between heartbeats a machine must keep; null = none required.", nullable=True),
    "entitlements": {"type": ["array", "null"], "maxItems": 100, "items": text(255),
                     "description": "At most 100 names of 1-255 characters; null = none."},
    "max_ips": integer(1, 1000000, "Distinct client IPs a license may use; null = unlimited.", nullable=True),
    "ip_mode": {"type": ["string", "null"], "enum": ["open", "allowlist", None],
                "description": "`allowlist`: only pre-registered IPs pass. Default `open`."},
}
schemas["PolicyCreate"] = obj(dict({
    "product_id": {"type": "string", "minLength": 1, "maxLength": 64, "description": "A product of the caller's account and environment."},
    "name": text(255),
    "max_machines": integer(1, 1000000),
}, **POLICY_FIELDS), ["product_id", "name", "max_machines"], "Body of `POST /api/v1/manage/policies`." + CREATE_NOTE)

update_fields = {
    "name": text(255, "Absent or null: unchanged.", nullable=True),
    "max_machines": integer(1, 1000000, "Absent or null: unchanged.", nullable=True),
    "duration_days": integer(1, 36500, "Absent: unchanged; null: perpetual.", nullable=True),
    "heartbeat_interval_s": integer(1, 31536000, "Absent: unchanged; null: no heartbeat required.", nullable=True),
    "entitlements": {"type": ["array", "null"], "maxItems": 100, "items": text(255),
                     "description": "Absent: unchanged; an array (or null, meaning none) replaces the list."},
    "max_ips": integer(1, 1000000, "Absent: unchanged; null: unlimited.", nullable=True),
    "ip_mode": {"type": ["string", "null"], "enum": ["open", "allowlist", None], "description": "Absent or null: unchanged."},
}
schemas["PolicyUpdate"] = obj(update_fields, (), "Body of `PATCH /api/v1/manage/policies/{id}`: only the fields given change.")

LICENSE_STATUS_NULLABLE = {"type": ["string", "null"], "enum": ["active", "inactive", "suspended", "revoked", None]}
schemas["LicenseCreate"] = obj({
    "policy_id": {"type": "string", "minLength": 1, "maxLength": 64, "description": "A policy of the caller's account and environment."},
    "key": {"type": ["string", "null"], "pattern": LICENSE_KEY, "maxLength": 29,
            "description": "The key to issue; absent or null: generated from a CSPRNG. Must be unused (soft-deleted keys stay reserved)."},
    "expires_at": {"type": ["string", "null"], "format": "date-time", "maxLength": 64,
                   "description": "RFC 3339 with an offset; absent or null: creation + the policy's `duration_days` (never, for a perpetual policy)."},
    "max_machines": integer(1, 1000000, "Overrides the policy's; absent or null: the policy's.", nullable=True),
    "entitlements": {"type": ["array", "null"], "maxItems": 100, "items": text(255),
                     "description": "Overrides the policy's list (null is taken as an empty list); absent: the policy's applies."},
    "status": dict(LICENSE_STATUS_NULLABLE, description="Default `active`."),
}, ["policy_id"], "Body of `POST /api/v1/manage/licenses`. Costs 1 credit when the account has a credit balance." + CREATE_NOTE)

schemas["LicenseUpdate"] = obj({
    "status": dict(LICENSE_STATUS_NULLABLE, description="Absent or null: unchanged."),
    "expires_at": {"type": ["string", "null"], "format": "date-time", "maxLength": 64,
                   "description": "Absent: unchanged; null: never expires."},
    "max_machines": integer(1, 1000000, "Absent: unchanged; null: the policy's value applies again.", nullable=True),
    "entitlements": {"type": ["array", "null"], "maxItems": 100, "items": text(255),
                     "description": "Absent: unchanged; null: the policy's list applies again."},
}, (), "Body of `PATCH /api/v1/manage/licenses/{id}`: only the fields given change.")

schemas["RuleCreate"] = obj({
    "product_id": {"type": "string", "minLength": 1, "maxLength": 64},
    "kind": {"type": "string", "enum": ["block_hwid", "allow_hwid", "block_ip", "allow_ip"]},
    "value": text(255, "For `*_hwid`: a machine id, 64 hex characters (stored lowercase). For `*_ip`: an IPv4 or IPv6 address or CIDR such as `203.0.113.0/24` (stored as its network)."),
}, ["product_id", "kind", "value"], "Body of `POST /api/v1/manage/rules`.")

schemas["LicenseIpCreate"] = obj({
    "ip": {"type": "string", "minLength": 1, "maxLength": 64, "description": "An IPv4 or IPv6 address (not a CIDR)."},
    "blocked": {"type": ["boolean", "null"], "description": "true: block this IP for the license; false, absent or null: register it (allow-list mode). Posting an IP again sets its `blocked` flag."},
}, ["ip"], "Body of `POST /api/v1/manage/licenses/{id}/ips`.")

schemas["ApiKeyCreate"] = obj({
    "name": text(255),
    "scopes": {"type": "array", "maxItems": 16, "items": schema("Scope"),
               "description": "Only scopes the calling key holds itself (else 403). Duplicates are dropped."},
    "environment": {"type": ["string", "null"], "enum": ["live", "test", None],
                    "description": "Default: the calling key's. A test key can create only test keys (else 403)."},
}, ["name", "scopes"], "Body of `POST /api/v1/manage/keys`.")

# -- native dialect
schemas["NativeLicenseKeyRequest"] = obj({
    "license_key": text(255, "The license key. Any text up to 255 characters is accepted here; an unknown key answers 1703."),
}, ["license_key"], "Body of `POST /api/v1/license/status`. Unknown fields are ignored.")

schemas["NativeMachineRequest"] = obj({
    "license_key": text(255, "The license key. Any text up to 255 characters is accepted here; an unknown key answers 1703."),
    "machine_id": {"type": "string", "pattern": HEX64, "minLength": 64, "maxLength": 64,
                   "description": "SHA-256 of the device identifier, 64 hex characters (taken as lowercase)."},
    "name": text(255, "Device name, recorded on activate (checked but unused by the other endpoints).", nullable=True),
    "platform": text(255, "Device platform, recorded on activate (checked but unused by the other endpoints).", nullable=True),
    "hostname": text(255, "Device host name, recorded on activate (checked but unused by the other endpoints).", nullable=True),
}, ["license_key", "machine_id"],
    "Body of `activate`, `deactivate` and `heartbeat`. Unknown fields are ignored; every bad field is listed in a 1702's `details`.")

schemas["NativeValidateRequest"] = {
    "description": "Body of `POST /api/v1/license/validate`.",
    "allOf": [schema("NativeMachineRequest"), obj({
        "entitlements": {"type": ["array", "null"], "maxItems": 64, "items": text(255),
                         "description": "Entitlements the caller needs; any one not granted answers 1712."},
    })]}

schemas["LicenseData"] = obj({
    "license_key": {"type": "string"},
    "machine_id": {"type": "string", "pattern": "^[0-9a-f]{64}$", "description": "Absent on `status`."},
    "status": {"type": "string", "enum": ["active", "inactive", "suspended", "revoked", "expired"],
               "description": "`expired` when an active license's `expires_at` has passed."},
    "valid": {"type": "boolean", "description": "On `validate` only."},
    "expires_at": nullable_ts("RFC 3339 UTC; `null` = never."),
    "max_machines": {"type": "integer"},
    "machines_used": {"type": "integer"},
    "entitlements": {"type": "array", "items": {"type": "string"}},
    "heartbeat_due_at": {"type": "string", "format": "date-time",
                         "description": "When the machine's next heartbeat is due; present only when the policy requires heartbeats and the endpoint names a machine."},
    "issued_at": {"type": "string", "format": "date-time", "description": "Server time, RFC 3339 UTC."},
    "nonce": {"type": "string", "description": "The request's `X-License-Nonce`, echoed so the answer cannot be replayed to another request."},
}, ["license_key", "status", "expires_at", "max_machines", "machines_used", "entitlements", "issued_at", "nonce"],
    "The signed data of a native answer. All numbers are integers. Clients must ignore fields they do not know.")

schemas["NativeSignedResponse"] = obj({
    "data": schema("LicenseData"),
    "signature": {"type": "string", "contentEncoding": "base64",
                  "description": "Base64 (standard, padded) signature of `data` in RFC 8785 canonical form (keys sorted by code point at every level, compact), by the key `kid`."},
    "alg": {"type": "string", "enum": ["RSA-SHA256", "Ed25519"],
            "description": "`RSA-SHA256` = RSASSA-PKCS1-v1_5 with SHA-256 (2048-bit key)."},
    "kid": {"type": "string", "description": "The signing key's id in `GET /api/v1/keys`."},
}, ["data", "signature", "alg", "kid"], "A native success: signed license data.")

NATIVE_CODES = [
    (1700, "LICENSE_API_BAD_SIGNATURE", 401, "missing or malformed signing header, HMAC mismatch, replayed nonce"),
    (1701, "LICENSE_API_STALE_TIMESTAMP", 401, "|now - timestamp| > 300 s"),
    (1702, "LICENSE_API_MALFORMED", 400, "body fails schema validation (with field-level `details`)"),
    (1703, "LICENSE_API_NOT_FOUND", 404, "key unknown or soft-deleted"),
    (1704, "LICENSE_API_INACTIVE", 403, "license exists, not active, not revoked"),
    (1705, "LICENSE_API_LIMIT_REACHED", 409, "activation cap reached"),
    (1706, "LICENSE_API_RATE_LIMITED", 429, "a token bucket is empty; `Retry-After` set"),
    (1707, "LICENSE_API_SECRET_NOT_SET", 500, "`LICENSE_API_SECRET` missing"),
    (1708, "LICENSE_API_REVOKED", 403, "license revoked"),
    (1709, "LICENSE_API_MACHINE_NOT_ACTIVATED", 404, "machine not activated on this license"),
    (1710, "LICENSE_API_EXPIRED", 403, "`expires_at` has passed"),
    (1711, "LICENSE_API_HEARTBEAT_REQUIRED", 403, "the machine missed its heartbeat interval"),
    (1712, "LICENSE_API_ENTITLEMENTS_MISSING", 403, "a requested entitlement is not granted"),
    (1713, "LICENSE_API_BLOCKED", 403, "machine or IP blocked, IP not on a required allow-list, or IP limit reached"),
    (1714, "LICENSE_API_PRODUCT_UNAVAILABLE", 403, "product archived or disabled"),
    (1715, "LICENSE_API_ACCOUNT_SUSPENDED", 403, "account suspended, billing-suspended or out of credits"),
    (1716, "LICENSE_API_QUOTA_EXHAUSTED", 429, "product's daily validation quota used; `Retry-After` = seconds to midnight UTC"),
    (1717, "LICENSE_API_UNAVAILABLE", 503, "Postgres or Redis unreachable; `Retry-After` set"),
    (1718, "LICENSE_API_PAYLOAD_TOO_LARGE", 413, "body over 16 KiB"),
    (1719, "LICENSE_API_UNSUPPORTED_MEDIA_TYPE", 415, "not `application/json`"),
    (1720, "LICENSE_API_INTERNAL_ERROR", 500, "unexpected defect (this gateway's addition for defects)"),
]
RETRYABLE = {1701, 1706, 1716, 1717, 1720}
code_table = "\n".join(f"| {c} | {n} | {h} | {'yes' if c in RETRYABLE else 'no'} | {w} |" for c, n, h, w in NATIVE_CODES)

schemas["NativeError"] = obj({
    "error": obj({
        "code": {"type": "integer", "enum": [c for c, _, _, _ in NATIVE_CODES]},
        "name": {"type": "string", "enum": [n for _, n, _, _ in NATIVE_CODES]},
        "message": {"type": "string"},
        "retryable": {"type": "boolean"},
        "details": {"type": "array", "items": schema("FieldError"), "description": "On 1702 only: every bad field."},
    }, ["code", "name", "message", "retryable"]),
}, ["error"],
    "A native error. Codes are a public contract: new ones are added, none is re-purposed.\n\n"
    "| code | name | HTTP | retryable | when |\n|---|---|---|---|---|\n" + code_table)


def native_error_subset(codes):
    return {"allOf": [schema("NativeError"), obj({"error": obj({"code": {"enum": codes}})})]}


schemas["JsonWebKey"] = obj({
    "kid": {"type": "string"},
    "alg": {"type": "string", "enum": ["RS256", "EdDSA"],
            "description": "JOSE names (RFC 7518, RFC 8037): `RS256` on an RSA key signs what an answer's envelope calls `RSA-SHA256`, `EdDSA` on an OKP Ed25519 key what it calls `Ed25519`."},
    "use": {"const": "sig"},
    "kty": {"type": "string", "enum": ["RSA", "OKP"]},
    "n": {"type": "string", "description": "RSA modulus, base64url without padding."},
    "e": {"type": "string", "description": "RSA public exponent, base64url without padding."},
    "crv": {"const": "Ed25519"},
    "x": {"type": "string", "description": "Ed25519 public key, base64url without padding."},
}, ["kid", "alg", "use", "kty"], "One public signing key (RFC 7517); RSA keys carry `n` and `e`, Ed25519 keys `crv` and `x`.")
schemas["JWKS"] = obj({"keys": {"type": "array", "items": schema("JsonWebKey")}}, ["keys"],
                      "Every current and retired public key that signs native answers.")

schemas["HealthReport"] = obj({
    "status": {"type": "string", "enum": ["UP", "DOWN"]},
    "outcome": {"type": "string", "enum": ["UP", "DOWN"]},
    "checks": {"type": "array", "items": obj({
        "id": {"type": "string", "enum": ["draining", "postgres", "redis"]},
        "status": {"type": "string", "enum": ["UP", "DOWN"]},
        "data": {"type": "object", "description": "e.g. `schema_version`, or the `reason` of a DOWN check."},
    }, ["id", "status"])},
}, ["status"], "Readiness: not draining, Postgres reachable with the expected migrations, Redis reachable.")

# ---- components: headers, parameters, responses, security -----------------------------

components_headers = {
    "X-RateLimit-Limit": {"description": "Capacity of the token bucket that applied.", "schema": {"type": "integer"}},
    "X-RateLimit-Remaining": {"description": "Tokens left in that bucket.", "schema": {"type": "integer"}},
    "X-RateLimit-Reset": {"description": "Unix time (seconds) when that bucket is full again.", "schema": {"type": "integer"}},
    "X-Request-Id": {"description": "Unique id of this request, on every response.", "required": True, "schema": {"type": "string"}},
    "Retry-After": {"description": "Seconds to wait before retrying.", "required": True, "schema": {"type": "integer", "minimum": 0}},
}

parameters = {
    "limit": {"name": "limit", "in": "query", "description": "Page size.",
              "schema": {"type": "integer", "minimum": 1, "maximum": 100, "default": 20}},
    "starting_after": {"name": "starting_after", "in": "query",
                       "description": "Cursor: the id of the last item of the previous page. Lists run newest first. An id that is not an item of this list, or was deleted since the previous page, answers 400: restart from the first page.",
                       "schema": {"type": "string"}},
    "product_id_filter": {"name": "product_id", "in": "query", "description": "Only items of this product.", "schema": {"type": "string"}},
    "search_name": {"name": "q", "in": "query", "description": "Only items whose name contains this text (case-insensitive; at most 255 characters).",
                    "schema": {"type": "string", "maxLength": 255}},
    "search_key": {"name": "q", "in": "query", "description": "Only licenses whose key contains this text (case-insensitive; at most 255 characters).",
                   "schema": {"type": "string", "maxLength": 255}},
    "license_status_filter": {"name": "status", "in": "query", "description": "Only licenses with this stored status.",
                              "schema": {"type": "string", "enum": ["active", "inactive", "suspended", "revoked"]}},
}
for name, noun in [("ProductId", "product"), ("PolicyId", "policy"), ("LicenseId", "license"), ("RuleId", "rule"),
                   ("ApiKeyId", "API key"), ("WebhookId", "webhook")]:
    parameters[name] = {"name": "id", "in": "path", "required": True, "description": f"The {noun}'s id.",
                        "schema": {"type": "string"}}
parameters["DeliveryId"] = {"name": "delivery_id", "in": "path", "required": True, "description": "The delivery's id.",
                            "schema": {"type": "string"}}
parameters["delivery_state_filter"] = {"name": "state", "in": "query", "description": "Only deliveries in this state.",
                                       "schema": {"type": "string", "enum": ["pending", "delivered", "failed"]}}
parameters["MachineId"] = {"name": "machine_id", "in": "path", "required": True,
                           "description": "The machine's `machine_id` (64 hex characters; case-insensitive).",
                           "schema": {"type": "string", "pattern": HEX64}}
parameters["LicenseIp"] = {"name": "ip", "in": "path", "required": True,
                           "description": "The registered IP address (IPv6 percent-encoded where needed).",
                           "schema": {"type": "string"}}

responses = {
    "ManageBadRequest": json_response("`bad_request`: invalid or missing parameters (every bad field in `details`), a query string or path whose percent-encoding does not decode, a body that is not JSON, or a body over the size limit.", schema("ManageError")),
    "ManageUnsupportedMediaType": json_response("`unsupported_media_type`: the body is not declared `application/json` (parameters such as `charset` allowed).", schema("ManageError")),
    "ManageUnauthorized": json_response("`invalid_api_key`: missing, malformed, unknown or revoked key.", schema("ManageError")),
    "ManageNoCredits": json_response("`no_credits`: the account has a credit balance of 0.", schema("ManageError")),
    "ManageForbidden": json_response("`forbidden`: the key lacks the scope, or the target belongs to another account.", schema("ManageError")),
    "ManageNotFound": json_response("`not_found`: no such resource in this account and environment.", schema("ManageError")),
    "ManageRateLimited": json_response("`rate_limited`: the API key's bucket is empty.", schema("ManageError"), retry_after=True),
    "ManageInternalError": json_response("`internal_error`: unexpected; never a stack trace.", schema("ManageError")),
    "NativeBadRequest": json_response("1702: the body is not JSON or fails its schema; `details` lists every bad field.", native_error_subset([1702])),
    "NativeUnauthorized": json_response("1700: a signing header missing or malformed, HMAC mismatch, or replayed nonce. 1701: timestamp more than 300 s from the server's clock.", native_error_subset([1700, 1701])),
    "NativeForbidden": json_response("The license may not be used: 1704 inactive or suspended, 1708 revoked, 1710 expired, 1711 heartbeat overdue, 1712 entitlement missing, 1713 machine or IP blocked or not allowed, 1714 product archived or disabled, 1715 account suspended.", native_error_subset([1704, 1708, 1710, 1711, 1712, 1713, 1714, 1715])),
    "NativeNotFound": json_response("1703: license key unknown or deleted. 1709: machine not activated on this license (retry once after activating).", native_error_subset([1703, 1709])),
    "NativeLicenseNotFound": json_response("1703: license key unknown or deleted.", native_error_subset([1703])),
    "NativeConflict": json_response("1705: every machine slot of the license is taken.", native_error_subset([1705])),
    "NativePayloadTooLarge": json_response("1718: body over 16 KiB.", native_error_subset([1718])),
    "NativeUnsupportedMediaType": json_response("1719: `Content-Type` is not `application/json` (parameters such as `charset=utf-8` are allowed).", native_error_subset([1719])),
    "NativeTooManyRequests": json_response("1706: a token bucket (per license key, per client IP) is empty. 1716: the product's daily validation quota is used; `Retry-After` = seconds to midnight UTC.", native_error_subset([1706, 1716]), retry_after=True),
    "NativeInternalError": json_response("1707: the gateway has no `LICENSE_API_SECRET`. 1720: unexpected defect (retryable).", native_error_subset([1707, 1720])),
    "NativeUnavailable": json_response("1717: Postgres or Redis unreachable; retry after `Retry-After`.", native_error_subset([1717]), retry_after=True),
}

security_schemes = {
    "apiKey": {"type": "http", "scheme": "bearer", "bearerFormat": "lk_live_… / lk_test_…",
               "description": "An account's API key: `lk_live_` or `lk_test_` + 32 base62 characters, sent as `Authorization: Bearer <key>`. The prefix binds it to one environment; its scopes gate each endpoint."},
    "licenseTimestamp": {"type": "apiKey", "in": "header", "name": "X-License-Timestamp",
                         "description": "Unix time in whole seconds; within 300 s of the server's clock."},
    "licenseNonce": {"type": "apiKey", "in": "header", "name": "X-License-Nonce",
                     "description": "16-64 characters of `[A-Za-z0-9_-]`, fresh for every request (a retry too); accepted once across all instances."},
    "licenseSignature": {"type": "apiKey", "in": "header", "name": "X-License-Signature",
                         "description": "Lowercase hex HMAC-SHA256 under the shared secret (`LICENSE_API_SECRET`) of the canonical string, UTF-8, LF-separated, no trailing LF:\n\n"
                                        "```\nv1\n{X-License-Timestamp}\n{X-License-Nonce}\n{METHOD}\n{path as sent, with its query string if any}\n{lowercase hex SHA-256 of the raw body bytes}\n```\n\n"
                                        "Vector: secret `s3cret`, timestamp `1700000000`, nonce `abcdefghijklmnop`, `POST /api/v1/license/validate`, body `{}` → "
                                        "`1360b5adffe0c07ff75c4e71583da8db087f25e79cd60044c3debab1b7345d07`."},
}

# ---- paths --------------------------------------------------------------------------------

paths = {}


def op(path, method, operation):
    paths.setdefault(path, {})[method] = operation


NATIVE_SECURITY = [{"licenseTimestamp": [], "licenseNonce": [], "licenseSignature": []}]
NATIVE_ORDER = ("Checks run in this order and the first that fails answers: body ≤ 16 KiB (1718) and JSON media type (1719); "
                "secret configured (1707); signing headers well-formed and HMAC equal (1700); timestamp fresh (1701); body schema (1702); "
                "nonce unseen and token buckets (1700 replayed nonce, 1706); then the licensing core. A request refused before the nonce check stores nothing.")


def native(name, summary, description, request, op_id, errors, not_found="NativeNotFound"):
    resp = {"200": json_response("Signed license data.", schema("NativeSignedResponse"))}
    codes = {"400": "NativeBadRequest", "401": "NativeUnauthorized", "403": "NativeForbidden", "404": not_found,
             "409": "NativeConflict", "413": "NativePayloadTooLarge", "415": "NativeUnsupportedMediaType",
             "429": "NativeTooManyRequests", "500": "NativeInternalError", "503": "NativeUnavailable"}
    for status, comp in codes.items():
        if status in errors:
            resp[status] = ref("responses", comp)
    op(f"/api/v1/license/{name}", "post", {
        "tags": ["native"], "operationId": op_id, "summary": summary,
        "description": description + "\n\n" + NATIVE_ORDER,
        "security": NATIVE_SECURITY,
        "requestBody": {"required": True, "content": {"application/json": {"schema": schema(request)}}},
        "responses": resp})


ALL_NATIVE = ["400", "401", "403", "404", "409", "413", "415", "429", "500", "503"]
native("activate", "Bind a machine to a license",
       "Binds the machine to the license, idempotently: activating an already-active machine succeeds and takes no slot. "
       "Never more machines than `max_machines`, however many activations race. A machine overdue by more than twice its heartbeat interval "
       "no longer holds its slot. Possible license errors: 1703, 1704, 1705, 1708, 1710, 1713, 1714, 1715.",
       "NativeMachineRequest", "nativeActivate", ALL_NATIVE)
native("validate", "Validate a license on a machine",
       "Checks, in order: license existence, account, product, revoked, inactive/suspended, expired, HWID/IP rules, IP registration, "
       "machine activated (1709), heartbeat (1711), entitlements (1712). Counts towards the product's daily validation quota (1716). "
       "`data.valid` is true on every 200.",
       "NativeValidateRequest", "nativeValidate", [s for s in ALL_NATIVE if s != "409"])
native("deactivate", "Free a machine's slot",
       "Deactivates the machine, freeing its slot. Only existence (1703), account (1715) and product (1714) gate it: a suspended, revoked "
       "or expired license may still hand back its machines. 1709 when the machine is not active on the license.",
       "NativeMachineRequest", "nativeDeactivate", [s for s in ALL_NATIVE if s != "409"])
native("heartbeat", "Record a heartbeat",
       "Records a heartbeat for an active machine; `data.heartbeat_due_at` tells when the next is due. A machine that missed its interval "
       "answers 1711 and must activate again (which revives it while it still holds its slot). "
       "Possible license errors: 1703, 1704, 1708, 1709, 1710, 1711, 1713, 1714, 1715.",
       "NativeMachineRequest", "nativeHeartbeat", [s for s in ALL_NATIVE if s != "409"])
native("status", "Report a license's state",
       "Answers 200 for every existing license whatever its state (`data.status`: `active`, `inactive`, `suspended`, `revoked`, `expired`), "
       "so clients can poll it; 1703 for an unknown or deleted key. `data` has no `machine_id`.",
       "NativeLicenseKeyRequest", "nativeStatus", [s for s in ALL_NATIVE if s not in ("403", "409")], not_found="NativeLicenseNotFound")

op("/api/v1/keys", "get", {
    "tags": ["native"], "operationId": "getSigningKeys", "summary": "Public keys that sign native answers",
    "description": "Unsigned and unauthenticated. Every current and retired public key, so keys can rotate without breaking clients; pick the key by the answer's `kid`.",
    "security": [],
    "responses": {"200": json_response("The JWKS (RFC 7517).", schema("JWKS"), rate=False, media="application/jwk-set+json")}})

# -- management
MANAGE_SECURITY = [{"apiKey": []}]


def manage(method, path, op_id, summary, scope, responses_, description="", params=None, body=None):
    text_ = f"Scope: {'`' + scope + '`' if scope else 'any'}." + (" " + description if description else "")
    operation = {"tags": ["manage"], "operationId": op_id, "summary": summary, "description": text_,
                 "security": MANAGE_SECURITY}
    if scope:
        operation["x-scope"] = scope
    if params:
        operation["parameters"] = params
    if body:
        operation["requestBody"] = {"required": True, "content": {"application/json": {"schema": schema(body)}}}
        # A route that reads a body refuses one not declared application/json with 415.
        responses_ = dict(sorted({**responses_, "415": ref("responses", "ManageUnsupportedMediaType")}.items()))
    operation["responses"] = responses_
    op("/api/v1/manage" + path, method, operation)


def errs(*statuses):
    names = {"400": "ManageBadRequest", "401": "ManageUnauthorized", "402": "ManageNoCredits", "403": "ManageForbidden",
             "404": "ManageNotFound", "429": "ManageRateLimited", "500": "ManageInternalError"}
    return {s: ref("responses", names[s]) for s in statuses}


def ok(description, body, status="200"):
    return {status: json_response(description, schema(body))}


P = lambda name: ref("parameters", name)  # noqa: E731
LIST = [P("limit"), P("starting_after")]

# 400 is possible on every route: the body handler answers a body over the limit with bad_request.
manage("get", "/account", "getAccount", "The calling key's account", None,
       {**ok("The account.", "Account"), **errs("400", "401", "429", "500")})

manage("post", "/products", "createProduct", "Create a product", "products:write",
       {**ok("The product, with its app secret and product key shown this once.", "ProductCreated", "201"),
        **errs("400", "401", "403", "429", "500")}, body="ProductCreate")
manage("get", "/products", "listProducts", "List products", "products:read",
       {**ok("A page of products.", "ProductPage"), **errs("400", "401", "403", "429", "500")},
       params=[P("search_name")] + LIST)
manage("get", "/products/{id}", "getProduct", "Get a product", "products:read",
       {**ok("The product.", "Product"), **errs("400", "401", "403", "404", "429", "500")}, params=[P("ProductId")])
manage("patch", "/products/{id}", "updateProduct", "Update a product", "products:write",
       {**ok("The updated product.", "Product"), **errs("400", "401", "403", "404", "429", "500")},
       params=[P("ProductId")], body="ProductUpdate")

manage("post", "/policies", "createPolicy", "Create a policy", "products:write",
       {**ok("The policy.", "Policy", "201"), **errs("400", "401", "403", "404", "429", "500")}, body="PolicyCreate",
       description="404 when `product_id` names no product of this account and environment; 403 when it is another account's.")
manage("get", "/policies", "listPolicies", "List policies", "products:read",
       {**ok("A page of policies.", "PolicyPage"), **errs("400", "401", "403", "404", "429", "500")},
       params=[P("product_id_filter"), P("search_name")] + LIST)
manage("get", "/policies/{id}", "getPolicy", "Get a policy", "products:read",
       {**ok("The policy.", "Policy"), **errs("400", "401", "403", "404", "429", "500")}, params=[P("PolicyId")])
manage("patch", "/policies/{id}", "updatePolicy", "Update a policy", "products:write",
       {**ok("The updated policy.", "Policy"), **errs("400", "401", "403", "404", "429", "500")},
       params=[P("PolicyId")], body="PolicyUpdate")

manage("post", "/licenses", "createLicense", "Create a license", "licenses:write",
       {**ok("The license.", "License", "201"), **errs("400", "401", "402", "403", "404", "429", "500")}, body="LicenseCreate",
       description="Costs 1 credit when the account has a credit balance (402 `no_credits` at 0; a refused creation writes nothing). "
                   "404 when `policy_id` names no policy of this account and environment.")
manage("get", "/licenses", "listLicenses", "List licenses", "licenses:read",
       {**ok("A page of licenses (deleted ones excluded).", "LicensePage"), **errs("400", "401", "403", "404", "429", "500")},
       params=[P("product_id_filter"), P("license_status_filter"), P("search_key")] + LIST)
manage("get", "/licenses/{id}", "getLicense", "Get a license", "licenses:read",
       {**ok("The license.", "License"), **errs("400", "401", "403", "404", "429", "500")}, params=[P("LicenseId")])
manage("patch", "/licenses/{id}", "updateLicense", "Update a license", "licenses:write",
       {**ok("The updated license.", "License"), **errs("400", "401", "403", "404", "429", "500")},
       params=[P("LicenseId")], body="LicenseUpdate")
manage("delete", "/licenses/{id}", "deleteLicense", "Soft-delete a license", "licenses:write",
       {**ok("The license is deleted: its key answers \"not found\" everywhere, and stays reserved.", "LicenseDeleted"),
        **errs("400", "401", "403", "404", "429", "500")}, params=[P("LicenseId")])

manage("get", "/licenses/{id}/machines", "listMachines", "List a license's active machines", "licenses:read",
       {**ok("Every active machine.", "MachinePage"), **errs("400", "401", "403", "404", "429", "500")}, params=[P("LicenseId")])
manage("delete", "/licenses/{id}/machines", "resetMachines", "Deactivate every machine of a license", "machines:write",
       {**ok("How many machines were deactivated (0 or more).", "DeletedCount"), **errs("400", "401", "403", "404", "429", "500")},
       params=[P("LicenseId")])
manage("delete", "/licenses/{id}/machines/{machine_id}", "deactivateMachine", "Deactivate one machine", "machines:write",
       {**ok("The machine is deactivated and its slot free.", "DeletedCount"), **errs("400", "401", "403", "404", "429", "500")},
       params=[P("LicenseId"), P("MachineId")], description="404 when the machine is not active on the license.")

manage("post", "/rules", "createRule", "Create a product rule", "rules:write",
       {**ok("The rule.", "Rule", "201"), **errs("400", "401", "403", "404", "429", "500")}, body="RuleCreate",
       description="Blocks or allows machine ids (`*_hwid`) or IPs (`*_ip`, a CIDR) for every license of the product. With any `allow_*` rule of a kind, the product requires a match of that kind.")
manage("get", "/rules", "listRules", "List product rules", "rules:write",
       {**ok("A page of rules.", "RulePage"), **errs("400", "401", "403", "404", "429", "500")},
       params=[P("product_id_filter")] + LIST)
manage("delete", "/rules/{id}", "deleteRule", "Delete a product rule", "rules:write",
       {**ok("The rule is deleted.", "DeletedCount"), **errs("400", "401", "403", "404", "429", "500")}, params=[P("RuleId")])
manage("post", "/licenses/{id}/ips", "putLicenseIp", "Register or block an IP on a license", "rules:write",
       {**ok("The license's IP entry (created, or its `blocked` flag updated).", "LicenseIp", "201"),
        **errs("400", "401", "403", "404", "429", "500")}, params=[P("LicenseId")], body="LicenseIpCreate",
       description="Pre-registers an IP (for a policy in `allowlist` mode) or blocks one.")
manage("get", "/licenses/{id}/ips", "listLicenseIps", "List a license's registered and blocked IPs", "licenses:read",
       {**ok("Every IP entry of the license, oldest first.", "LicenseIpPage"), **errs("400", "401", "403", "404", "429", "500")},
       params=[P("LicenseId")])
manage("delete", "/licenses/{id}/ips/{ip}", "deleteLicenseIp", "Remove an IP from a license", "rules:write",
       {**ok("The IP entry is removed.", "DeletedCount"), **errs("400", "401", "403", "404", "429", "500")},
       params=[P("LicenseId"), P("LicenseIp")], description="404 when the IP is not registered on the license.")

manage("post", "/keys", "createApiKey", "Create an API key", "keys:write",
       {**ok("The key, with its plaintext shown this once.", "ApiKeyCreated", "201"), **errs("400", "401", "403", "429", "500")},
       body="ApiKeyCreate",
       description="403 when asking for a scope the calling key lacks, or for a live key with a test key.")
manage("get", "/keys", "listApiKeys", "List API keys", "keys:write",
       {**ok("Every unrevoked key of the caller's environment.", "ApiKeyPage"), **errs("400", "401", "403", "429", "500")})
manage("delete", "/keys/{id}", "revokeApiKey", "Revoke an API key", "keys:write",
       {**ok("The revoked key: it fails on every instance from now on.", "ApiKey"), **errs("400", "401", "403", "404", "429", "500")},
       params=[P("ApiKeyId")])

manage("get", "/usage", "getUsage", "The account's counts and today's validations per product", "products:read",
       {**ok("Counts in the key's environment and the UTC day's validations per product.", "Usage"),
        **errs("400", "401", "403", "429", "500")},
       description="503 `unavailable` when Redis (where validations are counted) or Postgres cannot answer.")

WEBHOOK_NOTE = ("Events are signed per Standard Webhooks: headers `webhook-id` (the event id, stable across retries), "
                "`webhook-timestamp` (Unix seconds of the attempt) and `webhook-signature: v1,<base64 HMAC-SHA256(secret bytes, "
                "\"{id}.{timestamp}.{body}\")>` (two, space-separated, for 24 h after a rotation). Body: "
                "`{\"id\": \"evt_…\", \"type\", \"created_at\", \"environment\", \"data\": <the object as this API shows it>}`.")
manage("post", "/webhooks", "createWebhook", "Create a webhook", "webhooks:write",
       {**ok("The webhook, with its signing secret shown this once.", "WebhookWithSecret", "201"),
        **errs("400", "401", "403", "429", "500")}, body="WebhookCreate",
       description="400 on `url` when it is not https or leads to a loopback, private, link-local or reserved address. " + WEBHOOK_NOTE)
manage("get", "/webhooks", "listWebhooks", "List webhooks", "webhooks:read",
       {**ok("A page of webhooks.", "WebhookPage"), **errs("400", "401", "403", "429", "500")}, params=LIST)
manage("get", "/webhooks/{id}", "getWebhook", "Get a webhook", "webhooks:read",
       {**ok("The webhook (without its secret).", "Webhook"), **errs("400", "401", "403", "404", "429", "500")},
       params=[P("WebhookId")])
manage("patch", "/webhooks/{id}", "updateWebhook", "Update a webhook", "webhooks:write",
       {**ok("The updated webhook.", "Webhook"), **errs("400", "401", "403", "404", "429", "500")},
       params=[P("WebhookId")], body="WebhookUpdate")
manage("delete", "/webhooks/{id}", "deleteWebhook", "Delete a webhook", "webhooks:write",
       {**ok("The webhook and its deliveries are deleted.", "WebhookDeleted"), **errs("400", "401", "403", "404", "429", "500")},
       params=[P("WebhookId")])
manage("post", "/webhooks/{id}/rotate-secret", "rotateWebhookSecret", "Rotate a webhook's signing secret", "webhooks:write",
       {**ok("The webhook with its new secret, shown this once; the previous secret keeps signing for 24 hours.",
             "WebhookWithSecret"), **errs("400", "401", "403", "404", "429", "500")}, params=[P("WebhookId")])
manage("get", "/webhooks/{id}/deliveries", "listWebhookDeliveries", "List a webhook's deliveries", "webhooks:read",
       {**ok("A page of deliveries.", "WebhookDeliveryPage"), **errs("400", "401", "403", "404", "429", "500")},
       params=[P("WebhookId"), P("delivery_state_filter")] + LIST)
manage("post", "/webhooks/{id}/deliveries/{delivery_id}/retry", "retryWebhookDelivery", "Deliver an event again",
       "webhooks:write",
       {**ok("The delivery, pending and due now, with a fresh retry window.", "WebhookDelivery", "202"),
        **errs("400", "401", "403", "404", "429", "500")}, params=[P("WebhookId"), P("DeliveryId")],
       description="400 while the webhook is disabled.")

# -- ops
op("/health/live", "get", {
    "tags": ["ops"], "operationId": "getLiveness", "summary": "Liveness: the process alone", "security": [],
    "responses": {"200": json_response("The process is up.", obj({"status": {"const": "UP"}}, ["status"]), rate=False)}})
op("/health/ready", "get", {
    "tags": ["ops"], "operationId": "getReadiness", "summary": "Readiness: Postgres, Redis, migrations, not draining",
    "description": "503 at once after SIGTERM (draining), and while Postgres or Redis is unreachable or the expected migrations are not applied.",
    "security": [],
    "responses": {"200": json_response("Ready.", schema("HealthReport"), rate=False),
                  "503": json_response("Not ready: see the DOWN checks.", schema("HealthReport"), rate=False)}})
op("/metrics", "get", {
    "tags": ["ops"], "operationId": "getMetrics", "summary": "Prometheus metrics",
    "description": "Request counts and latency histograms per dialect, route and outcome code; rate-limit rejections, nonce replays, Redis and Postgres call latency and errors, pool usage, JVM.",
    "security": [],
    "responses": {"200": {"description": "Prometheus text exposition (OpenMetrics when asked for by `Accept`).",
                          "headers": headers(rate=False),
                          "content": {"text/plain": {"schema": {"type": "string"}},
                                      "application/openmetrics-text": {"schema": {"type": "string"}}}}}})
op("/openapi.json", "get", {
    "tags": ["ops"], "operationId": "getOpenApi", "summary": "This OpenAPI document", "security": [],
    "responses": {"200": json_response("The OpenAPI 3.1 document of the gateway.", {"type": "object"}, rate=False)}})

# -- compatibility dialects
def dialect_op(path, tag, op_id, summary, description, request, responses_, security=None):
    op(path, "post", {"tags": [tag], "operationId": op_id, "summary": summary, "description": description,
                      "security": security if security is not None else [],
                      "requestBody": {"required": True, "content": {"application/json": {"schema": request}}},
                      "responses": responses_})


STR = {"type": "string"}
HEX64 = {"type": "string", "pattern": "^[0-9a-fA-F]{64}$", "description": "SHA-256 of the device identifier, hex."}
LICENSE_ERR = obj({"error": obj({"code": {"type": "string", "enum": [
    "license_not_found", "license_revoked", "license_suspended", "license_expired", "machine_not_activated",
    "activation_limit_reached", "validation_error", "rate_limit_exceeded", "payload_too_large",
    "unsupported_media_type", "service_unavailable", "internal_error"]}, "message": STR,
    "errors": {"type": "object", "additionalProperties": {"type": "array", "items": STR}}}, ["code", "message"]),
    "errors": {"type": "object", "additionalProperties": {"type": "array", "items": STR}}}, ["error"])
LICENSE_OK = obj({"data": {"type": "object", "description": "As the native answer's `data`; `status` is `active` or `suspended`."},
                  "signature": STR, "alg": {"type": "string", "enum": ["RSA-SHA256"]}, "kid": STR},
                 ["data", "signature"])
for name, summary in (("activate", "Bind a machine (license key as credential)"),
                      ("validate", "Validate a license on a machine"),
                      ("deactivate", "Free a machine's slot")):
    dialect_op(f"/license/{name}", "license", f"license{name.capitalize()}", summary,
               "Unsigned request; the license key is the credential (per-key and per-IP buckets). Answers signed like native answers, always with RSA-SHA256.",
               obj({"license_key": text(255), "machine_id": HEX64}, ["license_key", "machine_id"]),
               {"200": json_response("Signed license data.", LICENSE_OK),
                **{s: json_response(d, LICENSE_ERR, retry_after=s in ("429", "503")) for s, d in (
                    ("403", "Suspended, expired, revoked or machine not activated."), ("404", "License not found."),
                    ("409", "Activation limit reached."), ("413", "Body over 16 KiB."), ("415", "Not JSON."),
                    ("422", "Validation error, with `errors` per field."), ("429", "Rate or daily limit."),
                    ("500", "Internal error."), ("503", "Postgres or Redis unreachable."))}})

AUTH_FAILED_CODES = ["invalid_key", "revoked", "expired", "hwid_mismatch", "session_expired", "blocked", "invalid_app",
                     "app_disabled", "no_credits", "bad_request", "rate_limited", "unavailable", "internal_error"]
AUTH_BODY = {"oneOf": [
    obj({"status": {"type": "string", "enum": ["success"]}, "nonce": STR, "timestamp": {"type": "integer"},
         "session_token": STR, "session_expires_at": {"type": "string", "format": "date-time"},
         "license": {"type": "object"}}, ["status", "nonce", "timestamp", "session_token", "session_expires_at", "license"]),
    obj({"status": {"type": "string", "enum": ["failed"]}, "error": {"type": "string", "enum": AUTH_FAILED_CODES},
         "message": STR, "nonce": {"type": ["string", "null"]}, "details": {"type": "array"}}, ["status", "error", "message"])]}
AUTH_HEADERS = {"X-Auth-Signature": {"description": "Lowercase hex HMAC-SHA256(app_secret, raw body); absent on invalid_app for a wrong app id/secret pair.",
                                     "schema": STR}}


def auth_response(description, retry_after=False):
    r = json_response(description, AUTH_BODY, retry_after=retry_after)
    r.setdefault("headers", {}).update(AUTH_HEADERS)
    return r


dialect_op("/auth/validate", "auth", "authValidate", "Log in an app SDK: bind the HWID, open a session",
           "Business outcomes are HTTP 200 with `status` success/failed. A login costs 1 credit when the account has a balance.",
           obj({"app_id": text(64), "app_secret": text(128), "license_key": text(255), "hwid": HEX64, "nonce": text(128)},
               ["app_id", "app_secret", "license_key", "hwid", "nonce"]),
           {"200": auth_response("Success or a business failure."),
            "401": auth_response("invalid_app for a wrong app id/secret pair (or a session of another app), unsigned."),
            "429": auth_response("Rate limited.", True),
            "500": auth_response("Internal error."), "503": auth_response("Postgres or Redis unreachable.", True)})
dialect_op("/auth/heartbeat", "auth", "authHeartbeat", "Keep a session alive",
           "Re-checks the license; a session costs 1 more credit each started hour of heartbeats when the account has a balance.",
           obj({"app_id": text(64), "session_token": text(128), "nonce": text(128)}, ["app_id", "session_token", "nonce"]),
           {"200": auth_response("Success or a business failure."),
            "401": auth_response("invalid_app for a wrong app id/secret pair (or a session of another app), unsigned."),
            "429": auth_response("Rate limited.", True),
            "500": auth_response("Internal error."), "503": auth_response("Postgres or Redis unreachable.", True)})

V1_BODY = obj({"valid": {"type": "boolean"}, "code": {"type": "string", "enum": [
    "VALID", "NOT_FOUND", "REVOKED", "SUSPENDED", "EXPIRED", "MACHINE_LIMIT_EXCEEDED", "FINGERPRINT_NOT_FOUND",
    "HEARTBEAT_REQUIRED", "ENTITLEMENTS_MISSING", "BLOCKED", "PRODUCT_UNAVAILABLE", "ACCOUNT_SUSPENDED"]},
    "license": {"type": ["object", "null"]}}, ["valid", "code", "license"])
V1_ERR = obj({"errors": {"type": "array", "items": obj({"title": STR, "detail": STR, "code": STR,
                                                          "source": obj({"pointer": STR})}, ["title", "code"])}}, ["errors"])
for name, req in (("validate", obj({"key": text(255), "fingerprint": HEX64,
                                    "entitlements": {"type": "array", "items": text(255), "maxItems": 64}}, ["key"])),
                  ("activate", obj({"key": text(255), "fingerprint": HEX64}, ["key", "fingerprint"])),
                  ("heartbeat", obj({"key": text(255), "fingerprint": HEX64}, ["key", "fingerprint"]))):
    dialect_op(f"/v1/licenses/{name}", "v1", f"v1{name.capitalize()}", f"Server-side {name} with a scoped API key",
               "Bearer `lk_live_…`/`lk_test_…` with scope `licenses:validate`; a key sees only its account's licenses of its environment.",
               req, {"200": json_response("The outcome.", V1_BODY),
                     **{s: json_response(d, V1_ERR, retry_after=s in ("429", "503")) for s, d in (
                         ("400", "Bad request."), ("401", "Missing or invalid API key."), ("403", "Missing scope."),
                         ("413", "Body over 16 KiB."), ("429", "Rate or daily limit."), ("500", "Internal error."),
                         ("503", "Postgres or Redis unreachable."))}},
               security=MANAGE_SECURITY)

KEYPORT_BODY = obj({"valid": {"type": "boolean"}, "status": {"type": "string", "enum": [
    "valid", "license_not_found", "revoked", "expired", "ip_blocked", "ip_limit_reached", "ip_not_registered",
    "product_not_found", "product_archived", "product_disabled", "org_suspended", "billing_suspended",
    "invalid_api_key", "invalid_request", "rate_limit_exceeded", "payload_too_large", "unavailable", "internal_error"]},
    "message": STR, "retry_after": {"type": "integer"}, "details": {"type": "array"}}, ["valid", "status", "message"])
security_schemes["productKey"] = {"type": "http", "scheme": "bearer", "description": "A product key `kp_live_…`/`kp_test_…`."}
dialect_op("/api/v1/validate", "keyport", "productKeyValidate", "Validate a license with a product key",
           "Business outcomes are HTTP 200. A new calling IP is registered on the license until the policy's `max_ips`; "
           "in `allowlist` mode only pre-registered IPs pass. Counts towards the product's daily validation limit.",
           obj({"license_key": text(255)}, ["license_key"]),
           {"200": json_response("The outcome.", KEYPORT_BODY),
            **{s: json_response(d, KEYPORT_BODY, retry_after=s in ("429", "503")) for s, d in (
                ("400", "Invalid request."), ("401", "Missing or malformed product key."), ("413", "Body over 16 KiB."),
                ("429", "Rate limit or daily limit; `retry_after` equals `Retry-After`."), ("500", "Internal error."),
                ("503", "Postgres or Redis unreachable."))}},
           security=[{"productKey": []}])


doc = {
    "openapi": "3.1.0",
    "info": {
        "title": "License Gateway",
        "version": "0.1.0",
        "summary": "Licensing core with a signed native dialect, a management API and operations endpoints.",
        "description": (
            "The License Gateway's HTTP API: the **native** dialect (`/api/v1/license/*`, HMAC-signed requests, signed answers), "
            "the **management** API for software vendors (`/api/v1/manage/*`, bearer API keys) and the **operations** endpoints.\n\n"
            "Every response carries a unique `X-Request-Id`. Native and management answers also carry "
            "`X-RateLimit-Limit`, `X-RateLimit-Remaining` and `X-RateLimit-Reset` (Unix seconds) for the bucket that applied, "
            "where one applied (not, for instance, on a management 401, decided before any bucket). "
            "A path the gateway does not serve answers 404, a method it does not serve on a path 405, both as "
            "`{\"error\": {\"code\": \"not_found\"|\"method_not_allowed\", \"message\": …}}`.\n\n"
            "Management lists take `limit` (1-100, default 20) and `starting_after` (an id) and answer `{\"data\": […], \"has_more\": bool}`. "
            "A key sees only its own account and environment: another account's id answers 403, an id of the other environment 404.\n\n"
            "The compatibility dialects (`/license/*`, `/auth/*`, `/v1/licenses/*`, `/api/v1/validate`) speak other license APIs' contracts over the same data."),
    },
    "servers": [{"url": "/", "description": "The gateway serving this document."}],
    "tags": [
        {"name": "native", "description": "Native dialect: signed requests, signed answers, numeric error codes 1700-1720."},
        {"name": "manage", "description": "Management API: scoped, environment-bound API keys."},
        {"name": "license", "description": "`/license/*`: unsigned, license key as credential, RSA-signed answers."},
        {"name": "auth", "description": "`/auth/*`: app SDK logins, sessions, HMAC-signed answers."},
        {"name": "v1", "description": "`/v1/licenses/*`: server-side validation with scoped API keys."},
        {"name": "keyport", "description": "`/api/v1/validate`: product-key validation with IP registration."},
        {"name": "ops", "description": "Operations: health, metrics, this document. Unauthenticated."},
    ],
    "paths": paths,
    "components": {
        "schemas": schemas,
        "parameters": parameters,
        "headers": components_headers,
        "responses": responses,
        "securitySchemes": security_schemes,
    },
}

out = sys.argv[1]
with open(out, "w", encoding="utf-8") as f:
    json.dump(doc, f, indent=2, ensure_ascii=False)
    f.write("\n")
