/* placeholder: replaced by the checker */
#include "compiler.h"
strat_status strat_check(strat_compilation *c)
{
    STRAT_GUARD(c, STRAT_FAILURE);
    return c->nerrors ? STRAT_FINDINGS : STRAT_OK;
}
