-- API keys are kept in memory beside the license read model (store/CredentialCache), so
-- every change to one is announced too: a revocation, a scope change, a deletion, whether it
-- comes from the management API, the admin command or a script. A new key is not announced:
-- only keys found are kept, so a key never seen is always looked up in Postgres.
-- (Products, the other credentials kept, are announced since V6.)
CREATE OR REPLACE FUNCTION lgw_announce() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    r record;
BEGIN
    IF TG_OP = 'DELETE' THEN r := OLD; ELSE r := NEW; END IF;
    CASE TG_TABLE_NAME
        WHEN 'licenses' THEN PERFORM pg_notify('lgw_invalidate', 'K:' || r.key);
        WHEN 'machines', 'license_ips' THEN PERFORM pg_notify('lgw_invalidate', 'L:' || r.license_id);
        WHEN 'policies' THEN PERFORM pg_notify('lgw_invalidate', 'P:' || r.id);
        WHEN 'products' THEN PERFORM pg_notify('lgw_invalidate', 'R:' || r.id);
        WHEN 'product_rules' THEN PERFORM pg_notify('lgw_invalidate', 'R:' || r.product_id);
        WHEN 'accounts' THEN PERFORM pg_notify('lgw_invalidate', 'A:' || r.id);
        WHEN 'api_keys' THEN PERFORM pg_notify('lgw_invalidate', 'C:' || r.id);
    END CASE;
    RETURN NULL;
END $$;

CREATE TRIGGER api_keys_announce AFTER UPDATE OR DELETE ON api_keys
    FOR EACH ROW EXECUTE FUNCTION lgw_announce();
