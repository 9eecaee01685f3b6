/*
 * test_value.c - unit tests for the rule language's values (src/value.c):
 * insertion-ordered dicts (growth, replacement, deletion, int/str/tuple
 * keys), equality across int/float/bool, ordering of lists and tuples,
 * str()/repr() including Python's float repr, truthiness and checked
 * 64-bit arithmetic.
 */
#include "tap.h"
#include "value.h"

#include <math.h>
#include <stdlib.h>

static struct kr_arena A;

static const char *repr(const struct kr_value *v)
{
    return kr_value_to_repr(&A, v);
}

static void test_dict(void)
{
    struct kr_value *d = kr_value_dict(&A);
    struct kr_value *t1 = kr_value_tuple(&A, 2), *t2 = kr_value_tuple(&A, 2);
    char key[32];
    int i, ok_all = 1;
    for (i = 0; i < 1000; i++) {
        snprintf(key, sizeof key, "k%d", i);
        kr_dict_sets(&A, d->u.dict, key, kr_value_int(&A, i));
    }
    for (i = 0; i < 1000; i++) {
        struct kr_value *v;
        snprintf(key, sizeof key, "k%d", i);
        v = kr_dict_gets(d->u.dict, key);
        if (!v || v->u.i != i)
            ok_all = 0;
    }
    ok(ok_all, "1000 string keys found after growth");
    is_int(d->u.dict->live, 1000, "live count");
    ok(d->u.dict->keys[0]->type == KR_V_STR && !strcmp(d->u.dict->keys[0]->u.str.s, "k0"),
       "insertion order kept");
    kr_dict_sets(&A, d->u.dict, "k0", kr_value_int(&A, -1));
    ok(!strcmp(d->u.dict->keys[0]->u.str.s, "k0") && d->u.dict->vals[0]->u.i == -1,
       "replacing keeps the position");
    ok(kr_dict_del(d->u.dict, kr_value_cstr(&A, "k5")) != NULL, "delete returns the value");
    ok(kr_dict_gets(d->u.dict, "k5") == NULL, "deleted key is gone");
    ok(kr_dict_gets(d->u.dict, "k6") != NULL, "neighbour survives deletion");
    is_int(d->u.dict->live, 999, "live count after delete");
    kr_dict_sets(&A, d->u.dict, "k5", kr_value_int(&A, 5));
    ok(kr_dict_gets(d->u.dict, "k5")->u.i == 5, "re-insert after delete");

    /* int and float keys that are equal are the same key, as in Python */
    d = kr_value_dict(&A);
    kr_dict_set(&A, d->u.dict, kr_value_int(&A, 1), kr_value_cstr(&A, "int"));
    kr_dict_set(&A, d->u.dict, kr_value_float(&A, 1.0), kr_value_cstr(&A, "float"));
    kr_dict_set(&A, d->u.dict, kr_value_bool(true), kr_value_cstr(&A, "bool"));
    is_int(d->u.dict->live, 1, "1, 1.0 and True are one key");
    is_str(repr(d), "{1: 'bool'}", "first key kept, last value wins");
    t1->u.list.items[0] = kr_value_cstr(&A, "a");
    t1->u.list.items[1] = kr_value_int(&A, 2);
    t2->u.list.items[0] = kr_value_cstr(&A, "a");
    t2->u.list.items[1] = kr_value_int(&A, 2);
    kr_dict_set(&A, d->u.dict, t1, kr_value_none());
    ok(kr_dict_get(d->u.dict, t2) != NULL, "tuple keys hash by value");
    ok(kr_value_hash(t1) == kr_value_hash(t2), "equal tuples hash equally");
    ok(!kr_value_hashable(kr_value_list(&A, 0)), "lists are unhashable");
}

static void test_equality_order(void)
{
    struct kr_value *l1 = kr_value_list(&A, 0), *l2 = kr_value_list(&A, 0);
    int c = 99;
    ok(kr_value_equal(kr_value_int(&A, 3), kr_value_float(&A, 3.0)), "3 == 3.0");
    ok(!kr_value_equal(kr_value_int(&A, 3), kr_value_cstr(&A, "3")), "3 != '3'");
    kr_list_push(&A, l1, kr_value_int(&A, 1));
    kr_list_push(&A, l1, kr_value_int(&A, 2));
    kr_list_push(&A, l2, kr_value_int(&A, 1));
    kr_list_push(&A, l2, kr_value_int(&A, 3));
    ok(kr_value_compare(l1, l2, &c) && c < 0, "[1, 2] < [1, 3]");
    kr_list_push(&A, l1, kr_value_int(&A, 0));
    ok(kr_value_compare(l1, l2, &c) && c < 0, "[1, 2, 0] < [1, 3]");
    ok(kr_value_compare(kr_value_cstr(&A, "ab"), kr_value_cstr(&A, "b"), &c) && c < 0,
       "'ab' < 'b'");
    ok(kr_value_compare(kr_value_cstr(&A, "a"), kr_value_cstr(&A, "ab"), &c) && c < 0,
       "prefix sorts first");
    ok(!kr_value_compare(kr_value_int(&A, 1), kr_value_cstr(&A, "a"), &c),
       "int and str are not orderable");
}

static void test_repr(void)
{
    struct kr_value *l = kr_value_list(&A, 0), *t = kr_value_tuple(&A, 1), *s = kr_value_set(&A);
    struct kr_buf b = KR_BUF_INIT;
    static const struct {
        double f;
        const char *want;
    } floats[] = {
        {1.0, "1.0"}, {0.1, "0.1"}, {2.5, "2.5"}, {1e16, "1e+16"}, {1e-5, "1e-05"},
        {123456789.0, "123456789.0"}, {0.30000000000000004, "0.30000000000000004"},
        {-0.0, "-0.0"}, {1.5e300, "1.5e+300"}, {1.0 / 3, "0.3333333333333333"},
    };
    size_t i;
    for (i = 0; i < KR_ARRAY_LEN(floats); i++) {
        kr_buf_reset(&b);
        kr_float_repr(floats[i].f, &b);
        is_str(kr_buf_cstr(&b), floats[i].want, floats[i].want);
    }
    kr_buf_free(&b);
    kr_list_push(&A, l, kr_value_cstr(&A, "it's"));
    kr_list_push(&A, l, kr_value_none());
    kr_list_push(&A, l, kr_value_bool(true));
    kr_list_push(&A, l, kr_value_cstr(&A, "a\tb\n"));
    is_str(repr(l), "[\"it's\", None, True, 'a\\tb\\n']", "list repr with quoting and escapes");
    t->u.list.items[0] = kr_value_int(&A, 1);
    is_str(repr(t), "(1,)", "one-tuple repr");
    is_str(repr(s), "set()", "empty set repr");
    is_str(kr_value_to_str(&A, kr_value_cstr(&A, "plain")), "plain", "str() of a str");
    {
        struct kr_value *nl = kr_value_named(&A, "input");
        kr_named_push(&A, nl, "a", kr_value_cstr(&A, "x.txt"));
        kr_named_push(&A, nl, NULL, kr_value_cstr(&A, "y.txt"));
        is_str(kr_value_to_str(&A, nl), "x.txt y.txt", "str() of a named list joins with spaces");
        ok(kr_dict_gets(nl->u.named.names, "a") != NULL, "named item reachable by name");
    }
}

static void test_truth_and_ints(void)
{
    int64_t r;
    ok(!kr_value_truthy(kr_value_none()), "None is false");
    ok(!kr_value_truthy(kr_value_cstr(&A, "")), "'' is false");
    ok(kr_value_truthy(kr_value_cstr(&A, "0")), "'0' is true");
    ok(!kr_value_truthy(kr_value_float(&A, 0.0)), "0.0 is false");
    ok(!kr_value_truthy(kr_value_dict(&A)), "{} is false");
    ok(kr_int_add(INT64_MAX - 1, 1, &r) && r == INT64_MAX, "add up to the maximum");
    ok(!kr_int_add(INT64_MAX, 1, &r), "add overflow detected");
    ok(!kr_int_mul(INT64_MAX / 2 + 1, 2, &r), "mul overflow detected");
    ok(!kr_int_sub(INT64_MIN, 1, &r), "sub overflow detected");
    is_str(kr_value_type_name(kr_value_tuple(&A, 0)), "tuple", "type names");
}

int main(void)
{
    kr_arena_init(&A);
    test_dict();
    test_equality_order();
    test_repr();
    test_truth_and_ints();
    kr_arena_free(&A);
    return tap_done();
}
