/* placeholder until the CSV loader lands */
#include "check.h"
void load_csv_all(Compilation *c) { (void)c; }
void resolve_csv_refs(Compilation *c) { (void)c; }
