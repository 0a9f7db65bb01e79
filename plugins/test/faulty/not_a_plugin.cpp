// A shared object with no plugin descriptor: what the host sees when pointed at some other
// library. The function only gives the library a body.

extern "C" int capstan_test_not_a_plugin() { return 7; }
