/*
 * test_cli.c - the shared option parser (cli.h): options whose values are
 * optional, and the container trigger's default callback wiring.
 */
#include "cli.h"
#include "tap.h"

#include <string.h>

static struct kr_error err;

/* --default-resources alone is detectable; with values they are kept. */
static void test_cli(void)
{
    struct kr_cli cli;
    char *a1[] = {"run", "--default-resources", "-c", "2", NULL};
    char *a2[] = {"run", "t", "--default-resources", "mem_mb=100", "disk_mb=5", NULL};
    char *a3[] = {"run", "t", NULL};
    char *a4[] = {"run", "--resources", NULL};

    is_int(kr_cli_parse(4, a1, 0, &cli, &err), KR_OK, "cli: --default-resources alone parses");
    ok(cli.default_resources_given && cli.ndefault_resources == 0 && cli.cores == 2,
       "cli: ... given, no values, next option still parsed");
    kr_cli_free(&cli);
    is_int(kr_cli_parse(5, a2, 0, &cli, &err), KR_OK, "cli: --default-resources K=V parses");
    ok(cli.default_resources_given && cli.ndefault_resources == 2 &&
       !strcmp(cli.default_resources[1].key, "disk_mb") &&
       !strcmp(cli.default_resources[1].value, "5"), "cli: ... both pairs kept");
    kr_cli_free(&cli);
    is_int(kr_cli_parse(2, a3, 0, &cli, &err), KR_OK, "cli: no --default-resources");
    ok(!cli.default_resources_given, "cli: ... not given");
    kr_cli_free(&cli);
    is_int(kr_cli_parse(2, a4, 0, &cli, &err), KR_EUSAGE, "cli: --resources still needs a value");
    kr_cli_free(&cli);
}

/* The parse installs the container callback and --container-image. */
static void test_container_opts(void)
{
    struct kr_cli cli;
    char *a[] = {"plan", "--container-image", "img:1", NULL};
    is_int(kr_cli_parse(3, a, 0, &cli, &err), KR_OK, "cli: --container-image parses");
    ok(cli.plan.container_id != NULL && cli.plan.container_id_data == &cli,
       "cli: the container trigger's callback is installed");
    is_str(cli.plan.container_image, "img:1", "cli: the default image reaches the planner");
    kr_cli_free(&cli);
}

int main(void)
{
    test_cli();
    test_container_opts();
    return tap_done();
}
