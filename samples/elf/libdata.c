/* A data object the non-PIE executable copies (R_X86_64_COPY). */
int shared_counter = 5;
