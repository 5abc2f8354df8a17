-- Outbound webhooks: endpoints, a transactional outbox of events, and one delivery row per
-- event and subscribed endpoint.
--
-- Events are recorded by triggers on the tables whose changes they announce, as V6 announces
-- changes to the read model: the event is then written by the very statement that makes the
-- change, inside its transaction, whoever makes it (any gateway instance, any dialect, the
-- admin command, a script). No change commits without its event, and a rolled-back change
-- leaves none. An event is written only when some enabled endpoint of the account and
-- environment subscribes to its type, so the hot path pays one indexed lookup otherwise.

CREATE TABLE webhook_endpoints (
    id                    uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    account_id            uuid NOT NULL REFERENCES accounts (id),
    environment           text NOT NULL CHECK (environment IN ('live', 'test')),
    url                   text NOT NULL CHECK (length(url) BETWEEN 1 AND 2048),
    events                text[],                 -- null = every event type
    status                text NOT NULL DEFAULT 'enabled' CHECK (status IN ('enabled', 'disabled')),
    -- The signing secret, sealed (infra/Secrets): the gateway must recover it to sign.
    secret_box            bytea NOT NULL,
    -- After a rotation the previous secret signs too, until previous_secret_until.
    previous_secret_box   bytea,
    previous_secret_until timestamptz,
    -- The last successful delivery: an endpoint with none during a delivery's whole retry
    -- window (the delivery gave up) is disabled.
    last_success_at       timestamptz,
    disabled_reason       text,
    created_at            timestamptz NOT NULL DEFAULT now(),
    updated_at            timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX webhook_endpoints_account ON webhook_endpoints (account_id, environment, created_at DESC, id DESC);

CREATE TABLE webhook_events (
    id          text PRIMARY KEY,                  -- evt_…, the webhook-id header
    account_id  uuid NOT NULL REFERENCES accounts (id),
    environment text NOT NULL,
    type        text NOT NULL,
    license_id  uuid,                              -- deliveries of one license go in order
    payload     jsonb NOT NULL,                    -- the body sent, the same on every attempt
    created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE webhook_deliveries (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    seq             bigint GENERATED ALWAYS AS IDENTITY,
    event_id        text NOT NULL REFERENCES webhook_events (id) ON DELETE CASCADE,
    endpoint_id     uuid NOT NULL REFERENCES webhook_endpoints (id) ON DELETE CASCADE,
    license_id      uuid,
    state           text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'delivered', 'failed')),
    attempts        integer NOT NULL DEFAULT 0,
    last_status     integer,
    last_error      text,
    last_attempt_at timestamptz,
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    -- Retries stop once the retry window, counted from here, has passed (a manual retry restarts it).
    window_start    timestamptz NOT NULL DEFAULT now(),
    -- A claim: the instance attempting it holds it until lease_until; past that any instance
    -- may claim it again, so a delivery held by an instance that died is not lost.
    lease_token     uuid,
    lease_until     timestamptz,
    delivered_at    timestamptz,
    created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at) WHERE state = 'pending';
CREATE INDEX webhook_deliveries_order ON webhook_deliveries (endpoint_id, license_id, seq) WHERE state = 'pending';
CREATE INDEX webhook_deliveries_page ON webhook_deliveries (endpoint_id, created_at DESC, id DESC);
CREATE INDEX webhook_deliveries_event ON webhook_deliveries (event_id);

-- license.expired: which expiry of a license has been announced (its expires_at then). Rows
-- older than the sweep's look-back are pruned.
CREATE TABLE webhook_expiries (
    license_id uuid PRIMARY KEY REFERENCES licenses (id),
    expires_at timestamptz NOT NULL
);
CREATE INDEX licenses_expiry ON licenses (expires_at) WHERE deleted_at IS NULL AND expires_at IS NOT NULL;
-- Expiries before this migration are history, not news.
INSERT INTO webhook_expiries (license_id, expires_at)
SELECT id, expires_at FROM licenses WHERE expires_at <= now() AND deleted_at IS NULL;

-- machine.released: when the gateway announced that this machine's silence freed its slot.
ALTER TABLE machines ADD COLUMN released_at timestamptz;

CREATE FUNCTION lgw_ts_ms(t timestamptz) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT to_char(t AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') $$;

CREATE FUNCTION lgw_webhook_doc(e webhook_endpoints) RETURNS jsonb
    LANGUAGE sql STABLE
    AS $$ SELECT jsonb_build_object('id', e.id, 'url', e.url, 'events', to_jsonb(e.events), 'status', e.status,
        'environment', e.environment, 'disabled_reason', e.disabled_reason,
        'created_at', lgw_ts(e.created_at), 'updated_at', lgw_ts(e.updated_at)) $$;

CREATE FUNCTION lgw_webhook_delivery_doc(d webhook_deliveries) RETURNS jsonb
    LANGUAGE sql STABLE
    AS $$ SELECT jsonb_build_object('id', d.id, 'webhook_id', d.endpoint_id, 'event_id', d.event_id,
        'type', (SELECT v.type FROM webhook_events v WHERE v.id = d.event_id), 'state', d.state,
        'attempts', d.attempts, 'last_status_code', d.last_status, 'last_error', d.last_error,
        'last_attempt_at', lgw_ts(d.last_attempt_at),
        'next_attempt_at', CASE WHEN d.state = 'pending' THEN lgw_ts(d.next_attempt_at) END,
        'delivered_at', lgw_ts(d.delivered_at), 'created_at', lgw_ts(d.created_at)) $$;

-- Records one event for an account's environment: the event row and a delivery for each
-- enabled endpoint subscribed to its type, or nothing when there is none.
CREATE FUNCTION lgw_webhook_emit(p_account uuid, p_environment text, p_type text, p_license uuid, p_data jsonb)
    RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    evt text;
BEGIN
    IF NOT EXISTS (SELECT 1 FROM webhook_endpoints e
                    WHERE e.account_id = p_account AND e.environment = p_environment AND e.status = 'enabled'
                      AND (e.events IS NULL OR p_type = ANY (e.events))) THEN
        RETURN;
    END IF;
    evt := 'evt_' || replace(gen_random_uuid()::text, '-', '');
    INSERT INTO webhook_events (id, account_id, environment, type, license_id, payload)
    VALUES (evt, p_account, p_environment, p_type, p_license,
            jsonb_build_object('id', evt, 'type', p_type, 'created_at', lgw_ts_ms(clock_timestamp()),
                               'environment', p_environment, 'data', p_data));
    INSERT INTO webhook_deliveries (event_id, endpoint_id, license_id)
    SELECT evt, e.id, p_license FROM webhook_endpoints e
     WHERE e.account_id = p_account AND e.environment = p_environment AND e.status = 'enabled'
       AND (e.events IS NULL OR p_type = ANY (e.events))
     ORDER BY e.id;
END $$;

-- license.created / .updated / .suspended / .reinstated / .revoked / .deleted. A change of
-- status names the event (inactive reads as suspended, as validation answers it); other
-- changes of what the license document shows are license.updated.
CREATE FUNCTION lgw_webhook_license() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    kind text;
BEGIN
    IF TG_OP = 'INSERT' THEN
        kind := 'license.created';
    ELSIF OLD.deleted_at IS NULL AND NEW.deleted_at IS NOT NULL THEN
        kind := 'license.deleted';
    ELSIF NEW.deleted_at IS NOT NULL THEN
        RETURN NULL;
    ELSIF OLD.status IS DISTINCT FROM NEW.status THEN
        kind := CASE NEW.status WHEN 'suspended' THEN 'license.suspended' WHEN 'inactive' THEN 'license.suspended'
                                WHEN 'revoked' THEN 'license.revoked' ELSE 'license.reinstated' END;
    ELSIF (OLD.expires_at, OLD.max_machines, OLD.entitlements, OLD.policy_id, OLD.key)
          IS NOT DISTINCT FROM (NEW.expires_at, NEW.max_machines, NEW.entitlements, NEW.policy_id, NEW.key) THEN
        RETURN NULL;
    ELSE
        kind := 'license.updated';
    END IF;
    PERFORM lgw_webhook_emit(NEW.account_id, NEW.environment, kind, NEW.id, lgw_license_doc(NEW));
    RETURN NULL;
END $$;
CREATE TRIGGER licenses_webhook AFTER INSERT OR UPDATE ON licenses
    FOR EACH ROW EXECUTE FUNCTION lgw_webhook_license();

-- machine.activated (a new binding, or a released machine bound again), machine.deactivated,
-- and machine.released when the row of a machine whose silence freed its slot is deleted
-- before the sweep announced it (an activation frees such slots as it binds). A slot is
-- announced freed once: a machine already announced released leaves without an event.
CREATE FUNCTION lgw_webhook_machine() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    m machines;
    lic record;
    kind text;
BEGIN
    IF TG_OP = 'DELETE' THEN m := OLD; ELSE m := NEW; END IF;
    SELECT l.account_id, l.environment, l.deleted_at, p.slot_release_s INTO lic
      FROM licenses l JOIN policies p ON p.id = l.policy_id WHERE l.id = m.license_id;
    IF NOT FOUND OR lic.deleted_at IS NOT NULL THEN
        RETURN NULL;
    END IF;
    IF TG_OP = 'DELETE' THEN
        IF lic.slot_release_s IS NOT NULL
           AND OLD.last_heartbeat_at < now() - make_interval(secs => lic.slot_release_s) THEN
            IF OLD.released_at IS NOT NULL THEN
                RETURN NULL;
            END IF;
            kind := 'machine.released';
        ELSE
            kind := 'machine.deactivated';
        END IF;
    ELSE
        kind := 'machine.activated';
    END IF;
    PERFORM lgw_webhook_emit(lic.account_id, lic.environment, kind, m.license_id, lgw_machine_doc(m));
    RETURN NULL;
END $$;
CREATE TRIGGER machines_webhook_bind AFTER INSERT OR DELETE ON machines
    FOR EACH ROW EXECUTE FUNCTION lgw_webhook_machine();
-- Heartbeats and refreshes keep activated_at: only a new activation of the row announces.
CREATE TRIGGER machines_webhook_rebind AFTER UPDATE ON machines
    FOR EACH ROW WHEN (OLD.activated_at IS DISTINCT FROM NEW.activated_at) EXECUTE FUNCTION lgw_webhook_machine();

-- policy.updated.
CREATE FUNCTION lgw_webhook_policy() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM lgw_webhook_emit(NEW.account_id, pr.environment, 'policy.updated', NULL, lgw_policy_doc(NEW))
       FROM products pr WHERE pr.id = NEW.product_id;
    RETURN NULL;
END $$;
CREATE TRIGGER policies_webhook AFTER UPDATE ON policies
    FOR EACH ROW WHEN (OLD.* IS DISTINCT FROM NEW.*) EXECUTE FUNCTION lgw_webhook_policy();

-- product.updated: the product itself, or its device and IP rules, which change answers as much.
CREATE FUNCTION lgw_webhook_product() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    product_id uuid;
BEGIN
    IF TG_TABLE_NAME = 'products' THEN
        product_id := NEW.id;
    ELSIF TG_OP = 'DELETE' THEN
        product_id := OLD.product_id;
    ELSE
        product_id := NEW.product_id;
    END IF;
    PERFORM lgw_webhook_emit(p.account_id, p.environment, 'product.updated', NULL, lgw_product_doc(p))
       FROM products p WHERE p.id = product_id;
    RETURN NULL;
END $$;
CREATE TRIGGER products_webhook AFTER UPDATE ON products
    FOR EACH ROW WHEN (OLD.* IS DISTINCT FROM NEW.*) EXECUTE FUNCTION lgw_webhook_product();
CREATE TRIGGER product_rules_webhook AFTER INSERT OR DELETE ON product_rules
    FOR EACH ROW EXECUTE FUNCTION lgw_webhook_product();

-- license.updated when a license's IPs change (registered, blocked, unblocked, removed).
CREATE FUNCTION lgw_webhook_license_ip() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    license_id uuid;
BEGIN
    IF TG_OP = 'DELETE' THEN license_id := OLD.license_id; ELSE license_id := NEW.license_id; END IF;
    PERFORM lgw_webhook_emit(l.account_id, l.environment, 'license.updated', l.id, lgw_license_doc(l))
       FROM licenses l WHERE l.id = license_id AND l.deleted_at IS NULL;
    RETURN NULL;
END $$;
CREATE TRIGGER license_ips_webhook AFTER INSERT OR UPDATE OR DELETE ON license_ips
    FOR EACH ROW EXECUTE FUNCTION lgw_webhook_license_ip();

-- account.credits_low: a balance falls below the threshold, which each gateway sets on its
-- connections (lgw.webhook_credits_low, from LGW_WEBHOOK_CREDITS_LOW); 10 elsewhere. An
-- account belongs to both environments, so endpoints of either may subscribe.
CREATE FUNCTION lgw_webhook_credits() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    threshold bigint := COALESCE(NULLIF(current_setting('lgw.webhook_credits_low', true), '')::bigint, 10);
BEGIN
    IF OLD.credits >= threshold AND NEW.credits < threshold THEN
        PERFORM lgw_webhook_emit(NEW.id, 'live', 'account.credits_low', NULL, lgw_account_doc(NEW));
        PERFORM lgw_webhook_emit(NEW.id, 'test', 'account.credits_low', NULL, lgw_account_doc(NEW));
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER accounts_webhook_credits AFTER UPDATE OF credits ON accounts
    FOR EACH ROW WHEN (OLD.credits IS NOT NULL AND NEW.credits IS NOT NULL AND NEW.credits < OLD.credits)
    EXECUTE FUNCTION lgw_webhook_credits();

-- The periodic sweep (one instance at a time, under an advisory lock the caller takes):
-- license.expired for licenses whose expires_at passed within the look-back, and
-- machine.released for machines silent past their policy's release time (only where some
-- endpoint listens: finding them reads every machine of those accounts). Returns the number
-- of events it recorded.
CREATE FUNCTION lgw_webhook_sweep(p_limit integer, p_lookback interval) RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
    lic licenses;
    r record;
    m machines;
    n integer := 0;
BEGIN
    FOR lic IN
        SELECT l.* FROM licenses l
         WHERE l.deleted_at IS NULL AND l.expires_at IS NOT NULL
           AND l.expires_at <= now() AND l.expires_at > now() - p_lookback
           AND NOT EXISTS (SELECT 1 FROM webhook_expiries x WHERE x.license_id = l.id AND x.expires_at = l.expires_at)
         ORDER BY l.expires_at LIMIT p_limit
    LOOP
        INSERT INTO webhook_expiries (license_id, expires_at) VALUES (lic.id, lic.expires_at)
            ON CONFLICT (license_id) DO UPDATE SET expires_at = EXCLUDED.expires_at;
        PERFORM lgw_webhook_emit(lic.account_id, lic.environment, 'license.expired', lic.id, lgw_license_doc(lic));
        n := n + 1;
    END LOOP;

    FOR r IN
        SELECT mm.id, l.account_id, l.environment FROM machines mm
          JOIN licenses l ON l.id = mm.license_id AND l.deleted_at IS NULL
          JOIN policies p ON p.id = l.policy_id AND p.slot_release_s IS NOT NULL
         WHERE mm.released_at IS NULL
           AND mm.last_heartbeat_at < now() - make_interval(secs => p.slot_release_s)
           AND (l.account_id, l.environment) IN (
                SELECT e.account_id, e.environment FROM webhook_endpoints e
                 WHERE e.status = 'enabled' AND (e.events IS NULL OR 'machine.released' = ANY (e.events)))
         ORDER BY mm.last_heartbeat_at LIMIT p_limit
           FOR UPDATE OF mm SKIP LOCKED
    LOOP
        UPDATE machines SET released_at = now() WHERE id = r.id RETURNING * INTO m;
        PERFORM lgw_webhook_emit(r.account_id, r.environment, 'machine.released', m.license_id, lgw_machine_doc(m));
        n := n + 1;
    END LOOP;

    DELETE FROM webhook_expiries WHERE expires_at <= now() - p_lookback;
    -- Settled history is kept for a month.
    DELETE FROM webhook_events WHERE id IN (
        SELECT v.id FROM webhook_events v WHERE v.created_at < now() - interval '30 days'
           AND NOT EXISTS (SELECT 1 FROM webhook_deliveries d WHERE d.event_id = v.id AND d.state = 'pending')
         LIMIT 10000);
    RETURN n;
END $$;

CREATE INDEX webhook_events_created ON webhook_events (created_at);

-- Keys made with every scope before webhooks existed (the admin command's first key) keep
-- holding every scope.
UPDATE api_keys SET scopes = scopes || ARRAY['webhooks:read', 'webhooks:write']
 WHERE scopes @> ARRAY['products:read', 'products:write', 'licenses:read', 'licenses:write', 'machines:write',
                       'rules:write', 'keys:write', 'licenses:validate']
   AND NOT scopes @> ARRAY['webhooks:read'];

-- A failed attempt by the holder of the delivery's lease (token): the next attempt after
-- p_delay_ms, or 'failed' once that would fall past the retry window. When a delivery gives up
-- and nothing was delivered to its endpoint during its whole window, the endpoint has been
-- failing for that long: it is disabled, and webhook.disabled recorded. Returns the
-- delivery's state, or null when the lease was lost (another attempt owns it now).
CREATE FUNCTION lgw_webhook_attempt_failed(p_delivery uuid, p_token uuid, p_status integer, p_error text,
    p_delay_ms bigint, p_window_ms bigint) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    d webhook_deliveries;
    e webhook_endpoints;
    next_at timestamptz := now() + make_interval(secs => p_delay_ms / 1000.0);
    window_len interval := make_interval(secs => p_window_ms / 1000.0);
BEGIN
    UPDATE webhook_deliveries
       SET last_status = p_status, last_error = p_error, lease_token = NULL, lease_until = NULL,
           next_attempt_at = next_at,
           state = CASE WHEN next_at > window_start + window_len THEN 'failed' ELSE 'pending' END
     WHERE id = p_delivery AND lease_token = p_token
    RETURNING * INTO d;
    IF NOT FOUND THEN
        RETURN NULL;
    END IF;
    SELECT * INTO e FROM webhook_endpoints WHERE id = d.endpoint_id FOR UPDATE;
    IF d.state = 'failed' AND e.status = 'enabled'
       AND (e.last_success_at IS NULL OR e.last_success_at < d.window_start) THEN
        UPDATE webhook_endpoints SET status = 'disabled', updated_at = now(),
               disabled_reason = 'no delivery succeeded from ' || lgw_ts(d.window_start)
                                 || ' until a delivery gave up at ' || lgw_ts(now())
         WHERE id = e.id RETURNING * INTO e;
        PERFORM lgw_webhook_emit(e.account_id, e.environment, 'webhook.disabled', NULL, lgw_webhook_doc(e));
    END IF;
    RETURN d.state;
END $$;
