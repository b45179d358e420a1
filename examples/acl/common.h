/* Error checking shared by the C API examples: print the failing call, its code and
 * aclGetRecentErrMsg(), then exit. */
#ifndef VNPU_EXAMPLES_ACL_COMMON_H_
#define VNPU_EXAMPLES_ACL_COMMON_H_

#include <stdio.h>
#include <stdlib.h>

#include "acl/acl.h"

#define ACL_CHECK(call)                                                                    \
  do {                                                                                     \
    aclError err_ = (call);                                                                \
    if (err_ != ACL_SUCCESS) {                                                             \
      const char *msg_ = aclGetRecentErrMsg();                                             \
      fprintf(stderr, "%s:%d: %s failed with %d: %s\n", __FILE__, __LINE__, #call, err_, \
              msg_ != NULL ? msg_ : "(no message)");                                       \
      exit(1);                                                                             \
    }                                                                                      \
  } while (0)

#endif
