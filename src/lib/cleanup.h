/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Forwarding header: the cleanup helpers are public (src/cli uses them too). */
#pragma once

#include <vessel/cleanup.h>
