# Host stand-in for the LuCI feed's luci.mk (see ../../README.md): a LuCI application
# package from the directories next to its Makefile, htdocs/ -> /www and root/ -> /.
# Translations (po/) become luci-i18n-* packages in the real feed; not made here.
LUCI_NAME ?= $(notdir $(CURDIR))
PKG_NAME ?= $(LUCI_NAME)
PKG_RELEASE ?= 1
PKG_BUILD_DIR := $(BUILD_DIR)/$(PKG_NAME)

include $(INCLUDE_DIR)/package.mk

define Package/$(PKG_NAME)
  SECTION:=luci
  CATEGORY:=LuCI
  SUBMENU:=3. Applications
  TITLE:=$(if $(LUCI_TITLE),$(LUCI_TITLE),LuCI $(LUCI_NAME))
  DEPENDS:=$(LUCI_DEPENDS)
  $(if $(LUCI_PKGARCH),PKGARCH:=$(LUCI_PKGARCH))
endef

ifneq ($(LUCI_DESCRIPTION),)
define Package/$(PKG_NAME)/description
  $(strip $(LUCI_DESCRIPTION))
endef
endif

define Build/Prepare
	rm -rf $(PKG_BUILD_DIR)
	mkdir -p $(PKG_BUILD_DIR)
	for d in htdocs root; do \
	  if [ -d ./$$d ]; then $(CP) ./$$d $(PKG_BUILD_DIR)/; fi; \
	done
endef

define Build/Compile
endef

define Package/$(PKG_NAME)/install
	if [ -d $(PKG_BUILD_DIR)/htdocs ]; then \
	  $(INSTALL_DIR) $(1)/www; cp -pR $(PKG_BUILD_DIR)/htdocs/* $(1)/www/; fi
	if [ -d $(PKG_BUILD_DIR)/root ]; then \
	  $(INSTALL_DIR) $(1)/; cp -pR $(PKG_BUILD_DIR)/root/* $(1)/; fi
endef

$(eval $(call BuildPackage,$(PKG_NAME)))
