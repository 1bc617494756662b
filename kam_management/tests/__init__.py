from . import test_kam_install
