-- machines_used means one thing everywhere: the machines that hold a slot (SPEC 1). A
-- machine silent past its policy's slot_release_s (V4) has given its slot up, as the core
-- already counts it; the management documents now agree.
-- (V3's comment on secret_box predates the AES-GCM box: see Secrets.seal.)
CREATE OR REPLACE FUNCTION lgw_license_doc(l licenses) RETURNS jsonb
    LANGUAGE sql STABLE
    AS $$ SELECT jsonb_build_object('id', l.id, 'key', l.key, 'status', l.status,
        'product_id', l.product_id, 'policy_id', l.policy_id, 'environment', l.environment,
        'expires_at', lgw_ts(l.expires_at),
        'max_machines', COALESCE(l.max_machines, p.max_machines),
        'entitlements', to_jsonb(COALESCE(l.entitlements, p.entitlements)),
        'machines_used', (SELECT count(*) FROM machines m WHERE m.license_id = l.id
                             AND (p.slot_release_s IS NULL
                                  OR m.last_heartbeat_at >= now() - make_interval(secs => p.slot_release_s))),
        'created_at', lgw_ts(l.created_at), 'updated_at', lgw_ts(l.updated_at))
        FROM policies p WHERE p.id = l.policy_id $$;
