-- GB 32100-2015 unified social credit code (USCC) check characters, for validating credit
-- codes inside DuckDB. The Python reference is pipelines/check_characters.py (is_valid_usc); the two are
-- tested against each other in tests/validation/test_macros.py, so change both together.
--
-- A USCC has 18 characters from a 31-character alphabet (no I, O, S, V, Z). The 18th checks
-- the first 17 (weights 3^i mod 31); characters 9-17 are a GB 11714-1997 organisation code
-- whose 9th character checks its first 8 (weights 3 7 9 10 5 8 4 2, modulo 11), and there
-- letters count by their place in the Latin alphabet (A = 10 ... Z = 35), not in the USCC one.
-- Plain expressions, no subqueries: these run once per row on tables of millions of rows.
create or replace macro usc_alphabet() as '0123456789ABCDEFGHJKLMNPQRTUWXY';

create or replace macro usc_check_character(body17) as
    substr(
        usc_alphabet(),
        1 + (31 - list_sum(list_transform(
            range(17),
            lambda i: (pow(3, i)::bigint % 31)
                * (instr(usc_alphabet(), substr(body17, i + 1, 1)) - 1)
        ))::bigint % 31) % 31,
        1
    );

-- 11 - (weighted sum mod 11) is 1..11; 10 is written X and 11 is written 0.
create or replace macro org_code_check_character(body8) as
    substr(
        '0123456789X0',
        1 + 11 - list_sum(list_transform(
            range(8),
            lambda i: [3, 7, 9, 10, 5, 8, 4, 2][i + 1]
                * (case when substr(body8, i + 1, 1) between '0' and '9'
                        then ascii(substr(body8, i + 1, 1)) - ascii('0')
                        else ascii(substr(body8, i + 1, 1)) - ascii('A') + 10 end)
        ))::bigint % 11,
        1
    );

-- Case-sensitive on purpose, like the Python reference: a lower-case code is a finding.
create or replace macro is_valid_usc(code) as
    coalesce(
        regexp_full_match(code, '[0-9A-HJ-NPQRTUWXY]{18}')
        and usc_check_character(left(code, 17)) = substr(code, 18, 1)
        and org_code_check_character(substr(code, 9, 8)) = substr(code, 17, 1),
        false
    );
