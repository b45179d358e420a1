/* The public C headers compile as strict C99 (-std=c99 -pedantic -Werror): this file is
 * built, never run. */
#include "acl/acl.h"
#include "acl/acl_base.h"
#include "acl/acl_rt.h"
#include "vnpu/acl_ext.h"

int vnpu_header_c99_check(void);
int vnpu_header_c99_check(void) {
  aclrtStream s = 0;
  aclrtEvent e = 0;
  aclrtContext c = 0;
  vnpuTensor t;
  aclrtCallback cb = 0;
  vnpuKernelFunc k = 0;
  (void)cb;
  (void)k;
  t.rank = 0;
  return (int)(s == e) + (int)(c == 0) + t.rank + ACL_SUCCESS + (int)sizeof(aclFloat16);
}
