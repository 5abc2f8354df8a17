-- SPEC 4: how each resource reads in the management API, defined once, next to the data.
-- Handlers select lgw_*_doc(row) and send the JSON unchanged.

CREATE FUNCTION lgw_ts(t timestamptz) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT to_char(t AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') $$;

CREATE FUNCTION lgw_account_doc(a accounts) RETURNS jsonb
    LANGUAGE sql STABLE
    AS $$ SELECT jsonb_build_object('id', a.id, 'name', a.name, 'status', a.status, 'credits', a.credits) $$;

CREATE FUNCTION lgw_product_doc(p products) RETURNS jsonb
    LANGUAGE sql STABLE
    AS $$ SELECT jsonb_build_object('id', p.id, 'name', p.name, 'status', p.status, 'environment', p.environment,
        'app_id', p.app_id, 'daily_validation_limit', p.daily_validation_limit, 'created_at', lgw_ts(p.created_at)) $$;

CREATE FUNCTION lgw_policy_doc(p policies) RETURNS jsonb
    LANGUAGE sql STABLE
    AS $$ SELECT jsonb_build_object('id', p.id, 'product_id', p.product_id, 'name', p.name,
        'max_machines', p.max_machines, 'duration_days', p.duration_days,
        'heartbeat_interval_s', p.heartbeat_interval_s, 'entitlements', to_jsonb(p.entitlements),
        'max_ips', p.max_ips, 'ip_mode', p.ip_mode, 'created_at', lgw_ts(p.created_at)) $$;

-- max_machines and entitlements are the effective values (the license's override, else
-- the policy's); machines_used counts bound machines.
CREATE FUNCTION lgw_license_doc(l licenses) RETURNS jsonb
    LANGUAGE sql STABLE
    AS $$ SELECT jsonb_build_object('id', l.id, 'key', l.key, 'status', l.status,
        'product_id', l.product_id, 'policy_id', l.policy_id, 'environment', l.environment,
        'expires_at', lgw_ts(l.expires_at),
        'max_machines', COALESCE(l.max_machines, p.max_machines),
        'entitlements', to_jsonb(COALESCE(l.entitlements, p.entitlements)),
        'machines_used', (SELECT count(*) FROM machines m WHERE m.license_id = l.id),
        'created_at', lgw_ts(l.created_at), 'updated_at', lgw_ts(l.updated_at))
        FROM policies p WHERE p.id = l.policy_id $$;

CREATE FUNCTION lgw_machine_doc(m machines) RETURNS jsonb
    LANGUAGE sql STABLE
    AS $$ SELECT jsonb_build_object('id', m.id, 'license_id', m.license_id, 'machine_id', m.machine_id,
        'name', m.name, 'platform', m.platform, 'hostname', m.hostname, 'ip', host(m.ip),
        'activated_at', lgw_ts(m.activated_at), 'last_heartbeat_at', lgw_ts(m.last_heartbeat_at)) $$;

CREATE FUNCTION lgw_rule_doc(r product_rules) RETURNS jsonb
    LANGUAGE sql STABLE
    AS $$ SELECT jsonb_build_object('id', r.id, 'product_id', r.product_id, 'kind', r.kind, 'value', r.value,
        'created_at', lgw_ts(r.created_at)) $$;

CREATE FUNCTION lgw_api_key_doc(k api_keys) RETURNS jsonb
    LANGUAGE sql STABLE
    AS $$ SELECT jsonb_build_object('id', k.id, 'name', k.name, 'hint', k.key_hint, 'scopes', to_jsonb(k.scopes),
        'environment', k.environment, 'created_at', lgw_ts(k.created_at), 'revoked_at', lgw_ts(k.revoked_at)) $$;

CREATE FUNCTION lgw_license_ip_doc(i license_ips) RETURNS jsonb
    LANGUAGE sql STABLE
    AS $$ SELECT jsonb_build_object('license_id', i.license_id, 'ip', host(i.ip), 'blocked', i.blocked,
        'created_at', lgw_ts(i.created_at)) $$;

-- Cursor pagination walks newest first by (created_at, id).
CREATE INDEX products_page ON products (account_id, environment, created_at DESC, id DESC);
CREATE INDEX licenses_page ON licenses (account_id, environment, created_at DESC, id DESC);
CREATE INDEX rules_page ON product_rules (account_id, created_at DESC, id DESC);
