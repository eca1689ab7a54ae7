# Host stand-in for the OpenWrt buildroot's rules.mk (see README.md): the variables the
# feed's Makefiles use, with the host's compiler as the "target" one.
INCLUDE_DIR := $(TOPDIR)/include
BUILD_DIR ?= $(TOPDIR)/build
DL_DIR ?= $(TOPDIR)/dl
ARCH ?= $(shell uname -m)
ARCH_PACKAGES ?= $(ARCH)

INSTALL_DIR := install -d -m0755
INSTALL_BIN := install -m0755
INSTALL_DATA := install -m0644
INSTALL_CONF := install -m0600
CP := cp -fpR
LN := ln -sf
FIND := find
XARGS := xargs -r
TAR := tar

TARGET_CC ?= cc
TARGET_CXX ?= c++
TARGET_CFLAGS ?= -O2 -pipe
TARGET_CPPFLAGS ?=
TARGET_LDFLAGS ?=
PKG_JOBS ?= -j1

# Conditional dependencies (+SYMBOL:pkg) are resolved against this configuration:
# a router with firewall4 (nftables), not the old iptables firewall.
CONFIG_PACKAGE_firewall4 ?= y
