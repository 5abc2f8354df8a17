-- SPEC 1: the domain. Constraints live here so that no code path can write a row the
-- contract forbids, whichever dialect or instance writes it.

CREATE TABLE accounts (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 255),
    status      text NOT NULL DEFAULT 'active'
                CHECK (status IN ('active', 'suspended', 'billing_suspended')),
    credits     bigint CHECK (credits IS NULL OR credits >= 0),  -- null = unlimited
    created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE api_keys (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    account_id  uuid NOT NULL REFERENCES accounts (id),
    name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 255),
    key_digest  bytea NOT NULL UNIQUE CHECK (length(key_digest) = 32),  -- SHA-256; plaintext never stored
    key_hint    text NOT NULL,                                          -- prefix and last 4 chars, for display
    scopes      text[] NOT NULL,
    environment text NOT NULL CHECK (environment IN ('live', 'test')),
    created_at  timestamptz NOT NULL DEFAULT now(),
    revoked_at  timestamptz
);
CREATE INDEX api_keys_account ON api_keys (account_id, id);

CREATE TABLE products (
    id                     uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    account_id             uuid NOT NULL REFERENCES accounts (id),
    environment            text NOT NULL CHECK (environment IN ('live', 'test')),
    name                   text NOT NULL CHECK (length(name) BETWEEN 1 AND 255),
    status                 text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'archived', 'disabled')),
    app_id                 text NOT NULL UNIQUE,
    app_secret_digest      bytea NOT NULL CHECK (length(app_secret_digest) = 32),
    product_key_digest     bytea NOT NULL UNIQUE CHECK (length(product_key_digest) = 32),
    daily_validation_limit integer CHECK (daily_validation_limit IS NULL OR daily_validation_limit >= 1),
    created_at             timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX products_account ON products (account_id, environment, id);

CREATE TABLE policies (
    id                   uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    account_id           uuid NOT NULL REFERENCES accounts (id),
    product_id           uuid NOT NULL REFERENCES products (id),
    name                 text NOT NULL CHECK (length(name) BETWEEN 1 AND 255),
    max_machines         integer NOT NULL CHECK (max_machines >= 1),
    duration_days        integer CHECK (duration_days IS NULL OR duration_days >= 1),
    heartbeat_interval_s integer CHECK (heartbeat_interval_s IS NULL OR heartbeat_interval_s >= 1),
    entitlements         text[] NOT NULL DEFAULT '{}',
    max_ips              integer CHECK (max_ips IS NULL OR max_ips >= 1),
    ip_mode              text NOT NULL DEFAULT 'open' CHECK (ip_mode IN ('open', 'allowlist')),
    created_at           timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX policies_product ON policies (product_id);

CREATE TABLE licenses (
    id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    account_id   uuid NOT NULL REFERENCES accounts (id),
    product_id   uuid NOT NULL REFERENCES products (id),
    policy_id    uuid NOT NULL REFERENCES policies (id),
    environment  text NOT NULL CHECK (environment IN ('live', 'test')),
    -- A soft-deleted key stays reserved: the unique index spans deleted rows too.
    key          text NOT NULL UNIQUE CHECK (key ~ '^[A-Z0-9]{5}(-[A-Z0-9]{5}){4}$'),
    status       text NOT NULL DEFAULT 'active'
                 CHECK (status IN ('active', 'inactive', 'suspended', 'revoked')),
    expires_at   timestamptz,
    max_machines integer CHECK (max_machines IS NULL OR max_machines >= 1),  -- null = the policy's
    entitlements text[],                                                     -- null = the policy's
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    deleted_at   timestamptz
);
CREATE INDEX licenses_account ON licenses (account_id, environment, id);

-- Only active activations are rows: deactivation deletes, so the unique constraint is
-- "one active activation of a device per license".
CREATE TABLE machines (
    id                uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    license_id        uuid NOT NULL REFERENCES licenses (id),
    machine_id        text NOT NULL CHECK (machine_id ~ '^[0-9a-f]{64}$'),
    name              text CHECK (length(name) <= 255),
    platform          text CHECK (length(platform) <= 255),
    hostname          text CHECK (length(hostname) <= 255),
    ip                inet,
    activated_at      timestamptz NOT NULL,
    last_heartbeat_at timestamptz NOT NULL,
    UNIQUE (license_id, machine_id)
);

CREATE TABLE product_rules (
    id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    account_id uuid NOT NULL REFERENCES accounts (id),
    product_id uuid NOT NULL REFERENCES products (id),
    kind       text NOT NULL CHECK (kind IN ('block_hwid', 'allow_hwid', 'block_ip', 'allow_ip')),
    value      text NOT NULL CHECK (length(value) BETWEEN 1 AND 255),
    cidr       cidr,
    created_at timestamptz NOT NULL DEFAULT now(),
    CHECK ((kind LIKE '%_ip') = (cidr IS NOT NULL))
);
CREATE INDEX product_rules_product ON product_rules (product_id, kind);

CREATE TABLE license_ips (
    license_id uuid NOT NULL REFERENCES licenses (id),
    ip         inet NOT NULL,
    blocked    boolean NOT NULL DEFAULT false,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (license_id, ip)
);

CREATE TABLE sessions (
    id                uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    token_digest      bytea NOT NULL UNIQUE CHECK (length(token_digest) = 32),
    product_id        uuid NOT NULL REFERENCES products (id),
    license_id        uuid NOT NULL REFERENCES licenses (id),
    machine_id        text NOT NULL,
    created_at        timestamptz NOT NULL DEFAULT now(),
    expires_at        timestamptz NOT NULL,
    last_heartbeat_at timestamptz NOT NULL DEFAULT now()
);
