#include "rw_test_client.h"
