-- Every committed change that a license's read model depends on is announced on the
-- lgw_invalidate channel, whoever makes it (any gateway instance, the admin command, a
-- script): each instance drops what the change touched from memory (store/Invalidations).
-- NOTIFY is delivered at commit and in commit order, and identical payloads of one
-- transaction are delivered once.
CREATE FUNCTION lgw_announce() RETURNS trigger LANGUAGE plpgsql AS $$
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
    END CASE;
    RETURN NULL;
END $$;

CREATE TRIGGER licenses_announce AFTER UPDATE OR DELETE ON licenses
    FOR EACH ROW EXECUTE FUNCTION lgw_announce();
CREATE TRIGGER machines_announce AFTER INSERT OR UPDATE OR DELETE ON machines
    FOR EACH ROW EXECUTE FUNCTION lgw_announce();
CREATE TRIGGER license_ips_announce AFTER INSERT OR UPDATE OR DELETE ON license_ips
    FOR EACH ROW EXECUTE FUNCTION lgw_announce();
CREATE TRIGGER policies_announce AFTER UPDATE OR DELETE ON policies
    FOR EACH ROW EXECUTE FUNCTION lgw_announce();
CREATE TRIGGER products_announce AFTER UPDATE OR DELETE ON products
    FOR EACH ROW EXECUTE FUNCTION lgw_announce();
CREATE TRIGGER product_rules_announce AFTER INSERT OR UPDATE OR DELETE ON product_rules
    FOR EACH ROW EXECUTE FUNCTION lgw_announce();
-- The read model holds an account's status and whether it has a credit balance at all;
-- spending a credit changes neither and is not announced.
CREATE TRIGGER accounts_announce AFTER UPDATE ON accounts
    FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status OR (OLD.credits IS NULL) <> (NEW.credits IS NULL))
    EXECUTE FUNCTION lgw_announce();
