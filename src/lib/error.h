/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Forwarding header: the error helpers are public (src/cli uses them too). */
#pragma once

#include <vessel/error.h>
#include <vessel/vessel.h>
