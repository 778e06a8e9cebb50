-- Feature views' indexes carry their fixed-width features (INCLUDE), so a training set's probes are index-only scans
-- (see FeatureTables). Views made before this get the new index under the new name, view_<id>_key_time_<covered>,
-- and lose the old one. The covering rule is FeatureTables.covered: features that are not STRING, in declared order,
-- at most 32 index columns in all.
DO $$
DECLARE
    v       record;
    keys    text;
    nkeys   integer;
    covered text[];
BEGIN
    FOR v IN SELECT view_id, features FROM feature_views ORDER BY view_id LOOP
        SELECT string_agg(quote_ident(e.join_key), ', ' ORDER BY fve.position), count(*)
          INTO keys, nkeys
          FROM feature_view_entities fve JOIN feature_entities e ON e.name = fve.entity
         WHERE fve.view_id = v.view_id;
        SELECT coalesce(array_agg(quote_ident(f ->> 'name') ORDER BY ord), '{}')
          INTO covered
          FROM (SELECT f, ord FROM jsonb_array_elements(v.features) WITH ORDINALITY AS t(f, ord)
                 WHERE f ->> 'type' <> 'STRING' ORDER BY ord LIMIT 32 - nkeys - 2) c;
        EXECUTE format('CREATE INDEX %I ON feature_data.%I (%s, event_timestamp, created_timestamp)%s',
                       'view_' || v.view_id || '_key_time_' || cardinality(covered), 'view_' || v.view_id, keys,
                       CASE WHEN cardinality(covered) = 0 THEN ''
                            ELSE ' INCLUDE (' || array_to_string(covered, ', ') || ')' END);
        EXECUTE format('DROP INDEX IF EXISTS feature_data.%I', 'view_' || v.view_id || '_by_key_time');
    END LOOP;
END
$$;
