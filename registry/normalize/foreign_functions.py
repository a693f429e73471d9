"""Functions of other databases that sqlglot's PostgreSQL parser reads as its own nodes, by name.

To PostgreSQL none of these names is a function of pg_catalog, so a call of one can only be a call of the
user's own function (pagila's `group_concat` aggregate; orafce's `nvl`, `instr`, `add_months`, ...), which
PostgreSQL resolves through the search path and prints qualified. sqlglot reads the call as the other
database's function and prints its translation: `group_concat(x)` became `STRING_AGG(x, ',')`, a call of
another function, `nvl(a, b)` `COALESCE(a)`, `instr(a, b)` `POSITION(b IN a)`. So the parser keeps such a
call as called (pg_parser marks its name, as it does AS_WRITTEN's), and the rules qualify it as any call
of a function outside pg_catalog.

The list: every name of sqlglot's PostgreSQL parser's functions that is not one of pg_catalog's, not a word
PostgreSQL reserves and not a type (tests/unit/test_pg_parser.py finds them again and holds this list to
them): those it prints as called (`add_months`) are kept too, so that the call is qualified as PostgreSQL
prints it (`public.add_months(d, 2)`).
"""

from __future__ import annotations

FOREIGN_FUNCTIONS = frozenset(
    """
    a_i_forecast add_months agg ai_agg ai_classify ai_embed ai_generate ai_similarity ai_summarize_agg
    anonymous_agg_func apply approx_count_distinct approx_distinct approx_percentile_accumulate
    approx_percentile_combine approx_percentile_estimate approx_quantile approx_quantiles approx_top_k
    approx_top_k_accumulate approx_top_k_combine approx_top_k_estimate approx_top_sum
    approximate_jaccard_index approximate_similarity arg_max arg_min argmax argmin array_all array_any
    array_compact array_concat array_concat_agg array_construct_compact array_contained_by array_contains
    array_contains_all array_distinct array_except array_filter array_first array_has array_has_all
    array_insert array_intersect array_intersection array_join array_last array_max array_min array_overlaps
    array_remove_at array_size array_slice array_sum array_union_agg array_unique_agg arrayagg arrays_zip
    base64_decode_binary base64_decode_string base64_encode bitmap_bit_position bitmap_bucket_number
    bitmap_construct_agg bitmap_count bitmap_or_agg bitwise_and_agg bitwise_count bitwise_or_agg
    bitwise_xor_agg booland booland_agg boolnot boolor boolor_agg boolxor_agg byte_length cast_to_str_type
    charindex check_json check_xml city_hash64 code_points_to_bytes code_points_to_string columns
    combined_agg_func combined_parameterized_agg compress connect_by_root contains convert_timezone
    convert_to_charset cosine_distance coth count_if countif csc csch current_account current_account_name
    current_available_roles current_client current_datetime current_ip_address current_organization_name
    current_organization_user current_region current_role_type current_secondary_roles current_session
    current_statement current_timestamp_l_t_z current_timezone current_transaction current_user_id
    current_version current_warehouse date_diff date_from_parts date_from_unix_date date_str_to_date
    date_sub date_to_date_str date_to_di datediff datefromparts datetime datetime_add datetime_diff
    datetime_sub datetime_trunc day day_of_month day_of_week day_of_year dayname dayofmonth dayofweek
    dayofweek_iso dayofyear decode_case decompress_binary decompress_string decrypt decrypt_raw di_to_date
    dot_product dynamic_identifier elt encrypt encrypt_raw ends_with endswith equal_null euclidean_distance
    explode explode_outer exploding_generate_series farm_fingerprint farmfingerprint64 features_at_time
    first flatten float64 from_base from_base32 from_base64 from_iso8601_date from_iso8601_timestamp
    from_iso8601_timestamp_nanos from_json gap_fill generate_bool generate_date_array generate_double
    generate_embedding generate_int generate_table generate_text generate_timestamp_array generate_uuid
    generator get_extract get_ignore_case getbit glob group_concat grouping_id hash_agg hex
    hex_decode_string hll hour if ifnull iif inline insert instr int64 is_array is_ascii is_inf is_nan
    is_null_value isinf isnan isodow j_s_o_n_array j_s_o_n_array_agg j_s_o_n_b_contains_all_top_keys
    j_s_o_n_b_contains_any_top_keys j_s_o_n_b_contains_top_key j_s_o_n_b_delete_at_path j_s_o_n_b_object_agg
    j_s_o_n_b_path_exists j_s_o_n_bool j_s_o_n_cast j_s_o_n_exists j_s_o_n_keys_at_depth j_s_o_n_object
    j_s_o_n_object_agg j_s_o_n_table j_s_o_n_value_array jarowinkler_similarity json_array_append
    json_array_contains json_array_insert json_extract json_extract_array json_extract_scalar json_format
    json_keys json_parse json_remove json_set json_type jsonb_extract jsonb_extract_scalar kurtosis last
    last_day last_day_of_month lax_bool lax_float64 lax_int64 lax_string lcase leftpad len levenshtein
    levenshtein_less_equal list locate log2 logical_and logical_or lower_hex m_d5_number_lower64
    m_d5_number_upper64 m_l_forecast m_l_translate manhattan_distance map map_cat map_contains_key
    map_delete map_from_entries map_insert map_keys map_pick map_size match_against max_by md5_digest median
    min_by minhash minhash_combine minute month monthname months_between nanvl negative net_func next_day
    next_value_for normal number_to_str nvl nvl2 object_agg object_id object_insert object_transform
    open_j_s_o_n pad parameterized_agg parse_bignumeric parse_datetime parse_ip parse_json parse_numeric
    parse_time parse_url posexplode posexplode_outer predict previous_day quantile quarter rand randn
    randstr range_bucket range_n read_csv read_parquet reduce reg_domain regexp_extract regexp_extract_all
    regexp_full_match regexp_i_like regexp_split regr_valx regr_valy rightpad rint rtrimmed_length
    s_h_a1_digest s_h_a2_digest safe_add safe_convert_bytes_to_string safe_divide safe_func safe_multiply
    safe_negate safe_subtract scope_resolution search search_ip sec sech second secret seq1 seq2 seq4 seq8
    sha sha1 sha2 shuffle signum skewness sort_array soundex soundex_p123 space split split_by_string
    split_to_table st_distance st_makepoint st_point stack standard_hash star_map startswith stdev
    str_position str_to_date str_to_map str_to_time str_to_unix string strip_null_value strtok
    strtok_split_to_table strtok_to_array struct struct_extract stuff substring_index systimestamp time_add
    time_diff time_from_parts time_slice time_str_to_date time_str_to_time time_str_to_unix time_sub
    time_to_str time_to_time_str time_to_unix time_trunc timefromparts timestamp_add timestamp_diff
    timestamp_from_parts timestamp_ltz_from_parts timestamp_sub timestamp_trunc timestamp_tz_from_parts
    timestampdiff timestampfromparts timestampltzfromparts timestamptzfromparts to_array to_base32 to_base64
    to_binary to_boolean to_code_points to_days to_decfloat to_double to_file to_map to_variant transform
    truncate try try_base64_decode_binary try_base64_decode_string try_cast try_hex_decode_binary
    try_hex_decode_string try_to_decfloat ts_or_di_to_di ts_or_ds_add ts_or_ds_diff ts_or_ds_to_date
    ts_or_ds_to_date_str ts_or_ds_to_datetime ts_or_ds_to_time ts_or_ds_to_timestamp typeof ucase unhex
    unicode uniform unix_date unix_micros unix_millis unix_seconds unix_to_str unix_to_time unix_to_time_str
    utc_date utc_time utc_timestamp uuid_string var_map variance_pop variance_samp vector_search week
    week_of_year week_start weekofyear weight_string x_m_l_table xmlget xor year year_of_week
    year_of_week_iso yearofweek yearofweekiso zipf
    """.split()  # noqa: SIM905
)
