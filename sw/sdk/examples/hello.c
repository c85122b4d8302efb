// The first program: printf on zxvp's console, its arguments, and its exit status.
#include <stdio.h>

int main(int argc, char** argv) {
  printf("Hello, world!\n");
  for (int i = 1; i < argc; ++i)
    printf("argument %d: %s\n", i, argv[i]);
  return 0;
}
